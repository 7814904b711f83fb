using Llm4Sbr.Core.Data;
using Llm4Sbr.Training.Batching;

namespace Llm4Sbr.Stages.Modeling.Batches;

/// <summary>The <c>batches</c> stage's output: the dense item vocabulary (every item of the kept
/// sessions, train and test) and every sample's SR-GNN session graph, built once. <see cref="Train"/>
/// and <see cref="Test"/> keep the samples stage's order (sample id order); validation is carved
/// from <see cref="Train"/> by <c>train</c>, so changing the carve keeps this cache entry.</summary>
public sealed record BatchSet(ItemVocabulary Vocabulary, PreparedSampleSet Train, PreparedSampleSet Test);

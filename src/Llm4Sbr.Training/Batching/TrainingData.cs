using LanguageExt;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Training.Batching;

/// <summary>One part of the data (fit, validation or test): prepared samples and their joined views.</summary>
public sealed record TrainingSplit(PreparedSampleSet Samples, ViewTable Views)
{
    public static readonly TrainingSplit Empty = new(PreparedSampleSet.Empty, ViewTable.None);
    public int Count => Samples.Count;
    public TrainingSplit WithSessionGraphs() => this with { Samples = Samples.WithSessionGraphs() };
}

/// <summary>The <c>batches</c> stage's output: everything a model needs to train and be evaluated.
/// <see cref="Fit"/> and <see cref="Validation"/> are carved from the training sessions.</summary>
public sealed record TrainingData(ItemVocabulary Vocabulary, TrainingSplit Fit, TrainingSplit Validation, TrainingSplit Test)
{
    public const string Version = "1";

    /// <summary>The items' text embeddings, row j the item of dense index j + 1 of <see cref="Vocabulary"/>;
    /// read only by models that start from them (LLM2X). Null when none was given.</summary>
    public Core.Embeddings.EmbeddingMatrix? ItemTexts { get; init; }
    /// <summary>The training-wide graphs (the <c>graphs</c> stage's output, in item ids), for models whose
    /// backbone needs them (GCE-GNN, DHCN); null otherwise.</summary>
    public Graphs.TrainingGraphs? Graphs { get; init; }

    /// <summary>Every part with its session graphs built (those it has are kept).</summary>
    public TrainingData WithSessionGraphs() => this with { Fit = Fit.WithSessionGraphs(), Validation = Validation.WithSessionGraphs(), Test = Test.WithSessionGraphs() };

    /// <summary>Carves validation sessions out of <paramref name="train"/>, builds every session graph
    /// once, and joins <paramref name="views"/> (possibly none) to each part by sample id.</summary>
    public static Fin<TrainingData> Build(
        IReadOnlyList<Sample> train, IReadOnlyList<Sample> test, ItemVocabulary vocabulary,
        IReadOnlyList<SampleViewEmbeddings> views, ValidationOptions validation)
    {
        var (fit, valid) = ValidationSplit.Carve(train, validation);
        return from f in Part(fit, vocabulary, views)
               from v in Part(valid, vocabulary, views)
               from t in Part(test, vocabulary, views)
               select new TrainingData(vocabulary, f, v, t);
    }

    public static Fin<TrainingSplit> Part(IReadOnlyList<Sample> samples, ItemVocabulary vocabulary, IReadOnlyList<SampleViewEmbeddings> views) =>
        from prepared in SamplePreparation.Prepare(samples, vocabulary)
        from joined in ViewJoin.Join(prepared, views)
        select new TrainingSplit(prepared, joined);
}

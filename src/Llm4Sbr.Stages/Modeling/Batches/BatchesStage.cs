using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Training.Batching;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Batches;

/// <summary>Configuration of <c>batches</c>: nothing to choose; <see cref="Encoding"/> names what is built.</summary>
public sealed record BatchesConfig(string Encoding);

/// <summary>The <c>batches</c> stage: the item vocabulary of the kept sessions and every sample
/// encoded with it, the common input of every batch format (sequential backbones pad these per batch;
/// graph backbones read <see cref="SessionGraphsStage"/>, built from them). It has no section of its
/// own; view embeddings join in <c>train</c> by sample id, so an LLM change never rebuilds it.</summary>
public sealed class BatchesStage : IStageModule
{
    public const string Name = "batches";
    public static readonly StageInput<BatchSet> Output = new(Name);
    public static readonly string Version = $"2+prepare{SamplePreparation.Version}";

    public string Stage => Name;
    public ImmutableArray<string> Sections => [];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        Success<Error, IStage>(Engine.Stages.Stage.Pure(Name, Version, new BatchesConfig("dense-item-sequences"), BatchSetCodec.Instance,
            [SplitStage.Output, SamplesStage.Output],
            (_, inputs, _) => Run(inputs.Get(SplitStage.Output), inputs.Get(SamplesStage.Output))));

    /// <summary>Pure: the vocabulary is every item of the kept sessions (train and test, as the
    /// reference's item count), ascending by id.</summary>
    public static Fin<BatchSet> Run(SplitSet split, SampleSet samples)
    {
        var vocabulary = ItemVocabulary.FromSessions(split.Train.Concat(split.Test));
        return
            from train in SamplePreparation.Encode(samples.Train, vocabulary)
            from test in SamplePreparation.Encode(samples.Test, vocabulary)
            select new BatchSet(vocabulary, train, test);
    }
}

/// <summary>The <c>session-graphs</c> stage: every sample's SR-GNN session graph (unique items, click
/// aliases, degree-normalised in- and out-edges), built once from <c>batches</c> and stored, so no epoch
/// rebuilds them. The train stage plans it only when a listed model reads session graphs (SR-GNN,
/// TAGNN and their LLM4SBR variants): a run of sequential models never builds them.</summary>
public sealed class SessionGraphsStage : IStageModule
{
    public const string Name = "session-graphs";
    public static readonly StageInput<SessionGraphSet> Output = new(Name);
    public static readonly string Version = "1";

    public string Stage => Name;
    public ImmutableArray<string> Sections => [];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        Success<Error, IStage>(Engine.Stages.Stage.Pure(Name, Version, new BatchesConfig("srgnn-session-graph"), SessionGraphSetCodec.Instance,
            [BatchesStage.Output],
            (_, inputs, _) => Fin<SessionGraphSet>.Succ(SessionGraphSet.Of(inputs.Get(BatchesStage.Output)))));
}

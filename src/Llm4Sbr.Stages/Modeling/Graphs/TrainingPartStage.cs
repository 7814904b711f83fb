using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Data;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Graphs;

/// <summary>The training part of a dataset: the training sessions of <c>split</c> and the training
/// samples of <c>samples</c>, each in its stage's order. Nothing of the test part.</summary>
public sealed record TrainingPart(ImmutableArray<Session> Sessions, ImmutableArray<Sample> Samples);

/// <summary>Configuration of <c>training-part</c>: nothing to choose; <see cref="Projection"/> names what is kept.</summary>
public sealed record TrainingPartConfig(string Projection);

/// <summary>The <c>training-part</c> stage: projects <c>split</c> and <c>samples</c> onto their training
/// parts, for <c>graphs</c>, which must never see a test session. It is content-keyed
/// (<see cref="StageKeying.ByOutput"/>): sessions added to the test part change split's and samples' keys,
/// so this cheap projection reruns, writes the same files, and <c>graphs</c> keeps its key and cache
/// entry. It runs only when <c>graphs</c> does (nothing else reads it). No section.</summary>
public sealed class TrainingPartStage : IStageModule
{
    public const string Name = "training-part";
    public static readonly StageInput<TrainingPart> Output = new(Name);
    public const string Version = "1";

    public string Stage => Name;
    public ImmutableArray<string> Sections => [];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        Success<Error, IStage>(Engine.Stages.Stage.Pure(Name, Version, new TrainingPartConfig("train-sessions-and-samples"), TrainingPartCodec.Instance,
            [SplitStage.Output, SamplesStage.Output],
            (_, inputs, _) => FinSucc(Run(inputs.Get(SplitStage.Output), inputs.Get(SamplesStage.Output)))) with
        {
            Keying = StageKeying.ByOutput,
        });

    /// <summary>Pure: the training parts, as they are.</summary>
    public static TrainingPart Run(SplitSet split, SampleSet samples) => new(split.Train, samples.Train);
}

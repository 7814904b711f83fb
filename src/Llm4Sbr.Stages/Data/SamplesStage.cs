using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Stages.Data.Codecs;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Data;

/// <summary>The <c>samples</c> stage: next-item samples from the split sessions.
/// <code>
/// samples:
///   mode: all-prefixes             # all-prefixes: [v1..vi] -> v(i+1) for every i | last-item: one per session
/// </code></summary>
public sealed class SamplesStage : IStageModule
{
    public const string Name = "samples";
    public static readonly StageInput<SampleSet> Output = new(Name);

    public static readonly ConfigChoices<SamplingMode> Modes = new(
        ("all-prefixes", SamplingMode.AllPrefixes),
        ("last-item", SamplingMode.LastItem));

    public string Stage => Name;
    public ImmutableArray<string> Sections => ["samples"];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        sections["samples"].Read(r => new SamplingOptions(r.Choice("mode", Modes, SamplingMode.AllPrefixes)))
        .Map(options => (IStage)Engine.Stages.Stage.Pure(Name, Sampler.Version, options, SampleSetCodec.Instance,
            [SplitStage.Output],
            (o, inputs, _) => Sampler.Run(inputs.Get(SplitStage.Output), o) is var set && (set.Train.IsEmpty || set.Test.IsEmpty)
                ? FinFail<SampleSet>(DataErrors.NoSamples(set.Train.IsEmpty ? "training" : "test"))
                : FinSucc(set)));
}

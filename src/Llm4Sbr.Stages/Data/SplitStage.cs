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

/// <summary>The <c>split</c> stage: the first floor(train_fraction * n) sessions train, the rest test.
/// <code>
/// split:
///   train_fraction: 0.9            # strictly between 0 and 1 (default 0.9)
/// </code></summary>
public sealed class SplitStage : IStageModule
{
    public const string Name = "split";
    public static readonly StageInput<SplitSet> Output = new(Name);

    public string Stage => Name;
    public ImmutableArray<string> Sections => ["split"];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        sections["split"].Read(r => new SplitOptions(r.Double("train_fraction", 0.9, above: 0, below: 1)))
        .Map(options => (IStage)Engine.Stages.Stage.Pure(Name, Splitter.Version, options, SplitSetCodec.Instance,
            [SessionsStage.Output],
            (o, inputs, _) => Splitter.Run(inputs.Get(SessionsStage.Output).Sessions, o) is var split && (split.Train.IsEmpty || split.Test.IsEmpty)
                ? FinFail<SplitSet>(DataErrors.EmptySplit(split.Train.Length + split.Test.Length, o.TrainFraction, split.Train.Length))
                : FinSucc(split)));
}

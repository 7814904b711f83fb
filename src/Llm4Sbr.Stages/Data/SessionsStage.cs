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

/// <summary>The <c>sessions</c> stage: groups events into sessions and filters them.
/// <code>
/// sessions:
///   grouping: key-and-time-bucket  # key (the source key is the session) | key-and-time-bucket
///   bucket_seconds: 600            # only with key-and-time-bucket (default 600)
///   min_item_support: 5            # drop sessions holding an item seen fewer times (default 1: keep all)
///   min_length: 2                  # drop sessions shorter than this (default 2)
/// </code></summary>
public sealed class SessionsStage : IStageModule
{
    public const string Name = "sessions";
    public static readonly StageInput<SessionSet> Output = new(Name);

    public static readonly ConfigChoices<SessionGrouping> Groupings = new(
        ("key", SessionGrouping.Key),
        ("key-and-time-bucket", SessionGrouping.KeyAndTimeBucket));

    public string Stage => Name;
    public ImmutableArray<string> Sections => ["sessions"];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        sections["sessions"].Read(r =>
        {
            var grouping = r.Choice("grouping", Groupings, SessionGrouping.Key);
            var bucketGiven = r.Has("bucket_seconds");
            var bucket = r.Long("bucket_seconds", 600, min: 1);
            if (bucketGiven && grouping == SessionGrouping.Key)
                r.Fail("bucket_seconds", "applies only with grouping: key-and-time-bucket");
            return new SessionizeOptions(
                grouping,
                grouping == SessionGrouping.KeyAndTimeBucket ? bucket : 0,
                r.Int("min_item_support", 1, min: 1),
                r.Int("min_length", 2, min: 1));
        })
        .Map(options => (IStage)Engine.Stages.Stage.Pure(Name, Sessionizer.Version, options, SessionSetCodec.Instance,
            [LoadStage.Output],
            (o, inputs, _) => Sessionizer.Run(inputs.Get(LoadStage.Output).Events, o) is var set && set.Sessions.IsEmpty
                ? FinFail<SessionSet>(DataErrors.NoSessions(set.Report, o))
                : FinSucc(set)));
}

using System.Collections.Immutable;
using LanguageExt.Common;
using Llm4Sbr.Cli.Rendering;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Cli.Tests;

/// <summary>The plain-line progress of a run away from a terminal: what it prints, and when.</summary>
public sealed class ProgressLinesTests
{
    /// <summary>A clock that moves only when told to, in UTC.</summary>
    sealed class ManualClock : TimeProvider
    {
        static readonly DateTimeOffset Start = new(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);
        long _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
        public override DateTimeOffset GetUtcNow() => Start.AddTicks(_ticks);
        public override long GetTimestamp() => _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    static StageEvent Started(string stage) => new(stage, StageEventKind.Started);
    static StageEvent Progress(string stage, long done, long? total, string? message = null) =>
        new(stage, StageEventKind.Progress, new StageProgress(done, total, message));
    static StageEvent Finished(StageStatus status, double seconds, string stage = "train", Error? error = null) =>
        new(stage, StageEventKind.Finished, Report: new StageReport(stage, "1", null, status, seconds, ImmutableSortedDictionary<string, long>.Empty, error));

    static string[] Lines(StringWriter writer) => writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void A_running_stage_prints_its_latest_progress_once_per_interval_and_its_end()
    {
        var clock = new ManualClock();
        using var writer = new StringWriter();
        var lines = new ProgressLines(writer, clock, Every);

        lines.Report(Started("train"));
        clock.Advance(TimeSpan.FromSeconds(29));
        lines.Report(Progress("train", 0, 6, "srgnn epoch 1/30: batch 10/1,423, loss 9.1000"));
        Assert.Empty(Lines(writer));                                        // not yet an interval since the start

        clock.Advance(TimeSpan.FromSeconds(1));
        lines.Report(Progress("train", 2, 6, "srgnn epoch 1/30: batch 11/1,423, loss 9.0000"));
        clock.Advance(TimeSpan.FromSeconds(10));
        lines.Report(Progress("train", 2, 6, "srgnn epoch 1/30: batch 40/1,423, loss 8.9000"));  // within the interval: dropped
        Assert.Equal(["17:00:30 train: 2 of 6 (33%), srgnn epoch 1/30: batch 11/1,423, loss 9.0000; 30.0 s so far"], Lines(writer));

        clock.Advance(TimeSpan.FromSeconds(20));
        lines.Report(Progress("train", 3, 6, "gru4rec epoch 2/30: validating"));
        clock.Advance(TimeSpan.FromMinutes(4));
        lines.Report(Finished(StageStatus.Computed, 301.5));
        Assert.Equal([
            "17:00:30 train: 2 of 6 (33%), srgnn epoch 1/30: batch 11/1,423, loss 9.0000; 30.0 s so far",
            "17:01:00 train: 3 of 6 (50%), gru4rec epoch 2/30: validating; 1m00s so far",
            "17:05:00 train: computed in 5m01s",
        ], Lines(writer));
    }

    [Fact]
    public void Stages_keep_their_own_heartbeat()
    {
        var clock = new ManualClock();
        using var writer = new StringWriter();
        var lines = new ProgressLines(writer, clock, Every);
        lines.Report(Started("infer"));
        clock.Advance(TimeSpan.FromSeconds(20));
        lines.Report(Started("titles"));
        clock.Advance(TimeSpan.FromSeconds(15));
        lines.Report(Progress("infer", 1_200, 44_000, "offline answers"));
        lines.Report(Progress("titles", 5, 100));                             // 15 s since its own start: nothing
        Assert.Equal(["17:00:35 infer: 1,200 of 44,000 (3%), offline answers; 35.0 s so far"], Lines(writer));
    }

    [Fact]
    public void Only_a_computed_stage_prints_its_end_the_error_line_tells_the_rest()
    {
        var clock = new ManualClock();
        using var writer = new StringWriter();
        var lines = new ProgressLines(writer, clock, Every, indent: "    ");
        lines.Report(Started("load"));
        lines.Report(Finished(StageStatus.Cached, 0.02, "load"));
        lines.Report(Finished(StageStatus.Computed, 0.44, "sessions"));
        lines.Report(Finished(StageStatus.Failed, 2.2, "train", Error.New("model_params.hiden: unknown key")));
        lines.Report(Finished(StageStatus.Skipped, 0, "evaluate"));
        lines.Report(Finished(StageStatus.Canceled, 1, "report"));
        Assert.Equal(["    17:00:00 sessions: computed in 0.4 s"], Lines(writer));
    }

    [Fact]
    public void Progress_without_a_total_shows_its_message_or_that_the_stage_runs()
    {
        Assert.Equal("infer: waiting for another process computing it; 4m10s so far",
            ProgressLines.Running("infer", new StageProgress(0, null, "waiting for another process computing it"), TimeSpan.FromSeconds(250)));
        Assert.Equal("graphs: running; 2h05m so far", ProgressLines.Running("graphs", default, TimeSpan.FromMinutes(125)));
        Assert.Equal("embed: 7 of 7 (100%); 0.4 s so far", ProgressLines.Running("embed", new StageProgress(7, 7), TimeSpan.FromSeconds(0.4)));
    }

    [Fact]
    public void Progress_that_arrives_before_its_stage_starts_waits_an_interval_like_any_other()
    {
        var clock = new ManualClock();
        using var writer = new StringWriter();
        var lines = new ProgressLines(writer, clock, Every);
        lines.Report(Progress("infer", 0, null, "waiting for another process computing it"));
        clock.Advance(TimeSpan.FromSeconds(31));
        lines.Report(Progress("infer", 0, null, "waiting for another process computing it"));
        Assert.Equal(["17:00:31 infer: waiting for another process computing it; 31.0 s so far"], Lines(writer));
    }

    [Theory]
    [InlineData(null, true, false, ProgressStyle.Bars)]
    [InlineData(null, true, true, ProgressStyle.Lines)]     // --json on a terminal: lines on standard error
    [InlineData(null, false, false, ProgressStyle.Lines)]   // redirected: lines
    [InlineData(ProgressStyle.None, false, false, ProgressStyle.None)]
    [InlineData(ProgressStyle.Lines, true, false, ProgressStyle.Lines)]
    public void The_default_style_follows_the_output(ProgressStyle? asked, bool terminal, bool json, ProgressStyle expected) =>
        Assert.Equal(expected, ProgressLines.Resolve(asked, terminal, json));

    [Fact]
    public void A_heartbeat_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressLines(TextWriter.Null, TimeProvider.System, TimeSpan.Zero));
}

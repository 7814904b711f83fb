using System.Collections.Immutable;
using LanguageExt.Common;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Tests.Shared;

namespace Llm4Sbr.Engine.Tests;

/// <summary>The heartbeat of a run for a log: what it says, and when.</summary>
public sealed class ProgressHeartbeatTests
{
    static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    static StageEvent Started(string stage) => new(stage, StageEventKind.Started);
    static StageEvent Progress(string stage, long done, long? total, string? message = null) =>
        new(stage, StageEventKind.Progress, new StageProgress(done, total, message));
    static StageEvent Finished(StageStatus status, double seconds, string stage = "train", Error? error = null) =>
        new(stage, StageEventKind.Finished, Report: new StageReport(stage, "1", null, status, seconds, ImmutableSortedDictionary<string, long>.Empty, error));

    static (ProgressHeartbeat Heartbeat, List<string> Texts) Heartbeat(ManualClock clock)
    {
        var texts = new List<string>();
        return (new ProgressHeartbeat(texts.Add, clock, Every), texts);
    }

    [Fact]
    public void A_running_stage_tells_its_latest_progress_once_per_interval_and_its_end()
    {
        var clock = new ManualClock();
        var (heartbeat, texts) = Heartbeat(clock);

        heartbeat.Report(Started("train"));
        clock.Advance(TimeSpan.FromSeconds(29));
        heartbeat.Report(Progress("train", 0, 6, "srgnn epoch 1/30: batch 10/1,423, loss 9.1000"));
        Assert.Empty(texts);                                        // not yet an interval since the start

        clock.Advance(TimeSpan.FromSeconds(1));
        heartbeat.Report(Progress("train", 2, 6, "srgnn epoch 1/30: batch 11/1,423, loss 9.0000"));
        clock.Advance(TimeSpan.FromSeconds(10));
        heartbeat.Report(Progress("train", 2, 6, "srgnn epoch 1/30: batch 40/1,423, loss 8.9000"));  // within the interval: dropped
        Assert.Equal(["train: 2 of 6 (33%), srgnn epoch 1/30: batch 11/1,423, loss 9.0000; 30.0 s so far"], texts);

        clock.Advance(TimeSpan.FromSeconds(20));
        heartbeat.Report(Progress("train", 3, 6, "gru4rec epoch 2/30: validating"));
        clock.Advance(TimeSpan.FromMinutes(4));
        heartbeat.Report(Finished(StageStatus.Computed, 301.5));
        Assert.Equal([
            "train: 2 of 6 (33%), srgnn epoch 1/30: batch 11/1,423, loss 9.0000; 30.0 s so far",
            "train: 3 of 6 (50%), gru4rec epoch 2/30: validating; 1m00s so far",
            "train: computed in 5m01s",
        ], texts);
    }

    [Fact]
    public void Stages_keep_their_own_intervals()
    {
        var clock = new ManualClock();
        var (heartbeat, texts) = Heartbeat(clock);
        heartbeat.Report(Started("infer"));
        clock.Advance(TimeSpan.FromSeconds(20));
        heartbeat.Report(Started("titles"));
        clock.Advance(TimeSpan.FromSeconds(15));
        heartbeat.Report(Progress("infer", 1_200, 44_000, "offline answers"));
        heartbeat.Report(Progress("titles", 5, 100));                             // 15 s since its own start: nothing
        Assert.Equal(["infer: 1,200 of 44,000 (3%), offline answers; 35.0 s so far"], texts);
    }

    [Fact]
    public void Only_a_computed_stage_prints_its_end_the_error_line_tells_the_rest()
    {
        var clock = new ManualClock();
        var (heartbeat, texts) = Heartbeat(clock);
        heartbeat.Report(Started("load"));
        heartbeat.Report(Finished(StageStatus.Cached, 0.02, "load"));
        heartbeat.Report(Finished(StageStatus.Computed, 0.44, "sessions"));
        heartbeat.Report(Finished(StageStatus.Failed, 2.2, "train", Error.New("model_params.hiden: unknown key")));
        heartbeat.Report(Finished(StageStatus.Skipped, 0, "evaluate"));
        heartbeat.Report(Finished(StageStatus.Canceled, 1, "report"));
        Assert.Equal(["sessions: computed in 0.4 s"], texts);
    }

    [Fact]
    public void Progress_without_a_total_shows_its_message_or_that_the_stage_runs()
    {
        Assert.Equal("infer: waiting for another process computing it; 4m10s so far",
            ProgressHeartbeat.Running("infer", new StageProgress(0, null, "waiting for another process computing it"), TimeSpan.FromSeconds(250)));
        Assert.Equal("graphs: running; 2h05m so far", ProgressHeartbeat.Running("graphs", default, TimeSpan.FromMinutes(125)));
        Assert.Equal("embed: 7 of 7 (100%); 0.4 s so far", ProgressHeartbeat.Running("embed", new StageProgress(7, 7), TimeSpan.FromSeconds(0.4)));
    }

    [Fact]
    public void Progress_that_arrives_before_its_stage_starts_waits_an_interval_like_any_other()
    {
        var clock = new ManualClock();
        var (heartbeat, texts) = Heartbeat(clock);
        heartbeat.Report(Progress("infer", 0, null, "waiting for another process computing it"));
        clock.Advance(TimeSpan.FromSeconds(31));
        heartbeat.Report(Progress("infer", 0, null, "waiting for another process computing it"));
        Assert.Equal(["infer: waiting for another process computing it; 31.0 s so far"], texts);
    }

    [Fact]
    public void A_sink_that_cannot_be_written_is_given_up_and_the_stage_goes_on()
    {
        var clock = new ManualClock();
        int calls = 0;
        var heartbeat = new ProgressHeartbeat(_ => { calls++; throw new UnauthorizedAccessException("Access to the path is denied."); }, clock, Every);
        heartbeat.Report(Started("load"));
        heartbeat.Report(Finished(StageStatus.Computed, 0.3, "load"));      // would have thrown into the stage
        heartbeat.Report(Finished(StageStatus.Computed, 0.1, "sessions"));
        Assert.Equal(1, calls);
        Assert.IsType<UnauthorizedAccessException>(heartbeat.SinkFailure);
        Assert.Throws<InvalidOperationException>(() =>
            new ProgressHeartbeat(_ => throw new InvalidOperationException("a bug"), clock, Every).Report(Finished(StageStatus.Computed, 1)));
    }

    [Fact]
    public void A_heartbeat_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressHeartbeat(_ => { }, TimeProvider.System, TimeSpan.Zero));
}

using Llm4Sbr.Cli.Rendering;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Tests.Shared;

namespace Llm4Sbr.Cli.Tests;

/// <summary>The CLI's progress away from a terminal: the heartbeat's texts as timestamped lines, and when
/// lines are chosen over bars (what the heartbeat says, and when: <c>ProgressHeartbeatTests</c>).</summary>
public sealed class ProgressLinesTests
{
    [Fact]
    public void Each_line_is_the_indent_the_local_time_and_the_heartbeat_text()
    {
        var clock = new ManualClock();
        using var writer = new StringWriter();
        var lines = ProgressLines.To(writer, clock, indent: "    ");
        lines.Report(new StageEvent("train", StageEventKind.Started));
        clock.Advance(TimeSpan.FromSeconds(45));
        lines.Report(new StageEvent("train", StageEventKind.Progress, new StageProgress(1, 2, "srgnn epoch 2/30: validating")));
        clock.Advance(TimeSpan.FromMinutes(1));
        lines.Report(new StageEvent("train", StageEventKind.Finished,
            Report: new StageReport("train", "1", null, StageStatus.Computed, 105, System.Collections.Immutable.ImmutableSortedDictionary<string, long>.Empty, null)));
        Assert.Equal([
            "    17:00:45 train: 1 of 2 (50%), srgnn epoch 2/30: validating; 45.0 s so far",
            "    17:01:45 train: computed in 1m45s",
        ], writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(ProgressHeartbeat.DefaultEvery, lines.Every);
    }

    [Theory]
    [InlineData(null, true, false, ProgressStyle.Bars)]
    [InlineData(null, true, true, ProgressStyle.Lines)]     // --json on a terminal: lines on standard error
    [InlineData(null, false, false, ProgressStyle.Lines)]   // redirected: lines
    [InlineData(ProgressStyle.None, false, false, ProgressStyle.None)]
    [InlineData(ProgressStyle.Lines, true, false, ProgressStyle.Lines)]
    public void The_default_style_follows_the_output(ProgressStyle? asked, bool terminal, bool json, ProgressStyle expected) =>
        Assert.Equal(expected, ProgressLines.Resolve(asked, terminal, json));
}

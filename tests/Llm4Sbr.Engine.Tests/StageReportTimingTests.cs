using System.Collections.Concurrent;
using Llm4Sbr.Core.Reporting;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Tests.Support;

namespace Llm4Sbr.Engine.Tests;

/// <summary>A stage that fails or is canceled while it runs ends the run with the report it was announced
/// with (its status, error and the time it ran), not a blank one made up afterwards.</summary>
public sealed class StageReportTimingTests : IDisposable
{
    readonly Workspace _ws = new();
    public void Dispose() => _ws.Dispose();

    async Task<(RunResult Run, StageEvent[] Events)> RunAsync(string yaml, CancellationToken ct, Action? whenScaleEnters = null)
    {
        var events = new ConcurrentQueue<StageEvent>();
        var plan = await _ws.PlanAsync(yaml);
        var running = new PipelineRunner(_ws.Store, _ws.Logger).RunAsync(plan, _ws.Outputs(), new SynchronousProgress<StageEvent>(events.Enqueue), ct);
        whenScaleEnters?.Invoke();
        return (await running, events.ToArray());
    }

    static StageReport Announced(StageEvent[] events, string stage) =>
        Assert.Single(events, e => e.Stage == stage && e.Kind == StageEventKind.Finished).Report!;

    [Fact]
    public async Task A_failed_stage_keeps_the_report_it_was_announced_with()
    {
        var (run, events) = await RunAsync(TestPipelines.Default.Replace("factor: 3", "factor: 3, throw: true"), CancellationToken.None);

        Assert.Equal(StageStatus.Failed, run["scale"].Status);
        Assert.Equal(Announced(events, "scale"), run["scale"]);
    }

    [Fact]
    public async Task A_stage_canceled_while_it_runs_is_reported_canceled_with_the_report_it_was_announced_with()
    {
        var gate = _ws.Log.Gates["scale"] = new StageGate();
        using var cancel = new CancellationTokenSource();
        using var liveness = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var (run, events) = await RunAsync(TestPipelines.Default, cancel.Token, () =>
        {
            gate.Entered.Task.Wait(liveness.Token);
            cancel.Cancel();
            gate.Release.SetResult();
        });

        Assert.Equal(StageStatus.Canceled, run["scale"].Status);
        Assert.Equal(Announced(events, "scale"), run["scale"]);
        Assert.Equal(StageStatus.Canceled, run["total"].Status);
    }
}

using System.Diagnostics;
using System.Threading.Channels;
using Llm4Sbr.Core.Files;
using Llm4Sbr.Core.Reporting;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Tests.Support;

namespace Llm4Sbr.Engine.Tests;

/// <summary>Two runners on one cache (as two processes would be: each its own <see cref="MemoStore"/>),
/// and run folders that share nothing with the cache or with each other.</summary>
public sealed class SharedCacheTests : IDisposable
{
    readonly Workspace _ws = new();

    public void Dispose() => _ws.Dispose();


    [Fact]
    public async Task A_stage_another_runner_is_computing_is_waited_for_and_then_taken_from_the_cache()
    {
        var gate = _ws.Log.Gates["source"] = new StageGate();
        var plan = await _ws.PlanAsync(TestPipelines.Default);
        var first = new PipelineRunner(_ws.Store, _ws.Logger).RunAsync(plan, _ws.Outputs("first"), null, CancellationToken.None);
        using var liveness = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // liveness only, not a timing check
        await gate.Entered.Task.WaitAsync(liveness.Token);

        var otherStore = new MemoStore(_ws.CacheRoot, _ws.Logger, TimeProvider.System);
        var events = Channel.CreateUnbounded<StageEvent>();
        var second = new PipelineRunner(otherStore, _ws.Logger).RunAsync(plan, _ws.Outputs("second"),
            new SynchronousProgress<StageEvent>(e => events.Writer.TryWrite(e)), CancellationToken.None);
        // The second runner says it waits for the stage the first one holds, and does not run it.
        StageEvent e;
        do e = await events.Reader.ReadAsync(liveness.Token);
        while (!(e.Stage == "source" && e.Kind == StageEventKind.Progress && e.Progress.Message?.Contains("waiting") == true));
        Assert.Equal(1, _ws.Log.Runs("source"));
        gate.Release.SetResult();

        var (a, b) = (await first, await second);
        Assert.True(a.Succeeded && b.Succeeded);
        Assert.All(a.Stages, s => Assert.Equal(StageStatus.Computed, s.Status));
        Assert.All(b.Stages, s => Assert.Equal(StageStatus.Cached, s.Status));
        foreach (var stage in new[] { "source", "scale", "total", "side" }) Assert.Equal(1, _ws.Log.Runs(stage));
    }

    [Fact]
    public async Task Editing_a_file_of_one_run_folder_changes_neither_the_cache_nor_another_run_folder()
    {
        var plan = await _ws.PlanAsync(TestPipelines.Default);
        await new PipelineRunner(_ws.Store, _ws.Logger).RunAsync(plan, _ws.Outputs("first"), null, CancellationToken.None);
        await new PipelineRunner(_ws.Store, _ws.Logger).RunAsync(plan, _ws.Outputs("second"), null, CancellationToken.None);
        var edited = Path.Combine(_ws.Outputs("first").StageDirectory("total"), "numbers.parquet");
        var other = Path.Combine(_ws.Outputs("second").StageDirectory("total"), "numbers.parquet");
        var entry = Path.Combine(_ws.Store.EntryDirectory(plan.Stages.Single(s => s.Name == "total").Key!.Value), "numbers.parquet");
        var before = File.ReadAllBytes(other);

        File.AppendAllText(edited, "a line of my own\n");

        Assert.Equal(before, File.ReadAllBytes(other));
        Assert.Equal(before, File.ReadAllBytes(entry));
        var again = await new PipelineRunner(_ws.Store, _ws.Logger).RunAsync(plan, _ws.Outputs("third"), null, CancellationToken.None);
        Assert.All(again.Stages, s => Assert.Equal(StageStatus.Cached, s.Status)); // the cache entry still verifies
        Assert.Empty(_ws.Logger.Warnings);
    }

    [Fact]
    public async Task The_lock_of_a_process_that_died_mid_stage_blocks_nobody()
    {
        var key = (await _ws.PlanAsync(TestPipelines.Default)).Stages[0].Key!.Value;
        var path = _ws.Store.LockFile(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // flock(1) takes the same OS lock (flock(2)) as the store; killing it is a crash mid-stage.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--close", path, "sleep", "600"]))!;
        for (var i = 0; i < 600 && FileLocks.TryTake(path, exclusive: true) is { } free; i++)
        {
            free.Dispose();
            await Task.Delay(50); // until flock holds it (liveness only)
        }
        Assert.Null(FileLocks.TryTake(path, exclusive: true));

        holder.Kill(entireProcessTree: true);
        await holder.WaitForExitAsync();

        using var held = await _ws.Store.LockAsync(key, "source", null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)); // liveness only
        Assert.Null(FileLocks.TryTake(path, exclusive: true)); // this process holds it now
    }
}

using System.Collections.Immutable;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Runs;
using Llm4Sbr.Engine.Tests.Support;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Engine.Tests;

public sealed class RunnerTests : IDisposable
{
    readonly Workspace _ws = new();
    public void Dispose() => _ws.Dispose();

    static readonly string[] AllStages = ["source", "scale", "total", "side"];

    [Fact]
    public async Task First_run_computes_every_stage_and_passes_values_downstream()
    {
        var run = await _ws.RunAsync(TestPipelines.Default);

        Assert.True(run.Succeeded);
        Assert.All(run.Stages, s => Assert.Equal(StageStatus.Computed, s.Status));
        // source = 10..14, scale x3 = 30..42, total = 180, side = 11..15
        var total = (await run.OutputAsync<Numbers>("total", CancellationToken.None)).Value();
        Assert.Equal(new long[] { 180L }, total.Values.ToArray());
        var side = (await run.OutputAsync<Numbers>("side", CancellationToken.None)).Value();
        Assert.Equal(new long[] { 11L, 12, 13, 14, 15 }, side.Values.ToArray());
        Assert.All(AllStages, s => Assert.Equal(1, _ws.Log.Runs(s)));
    }

    [Fact]
    public async Task Second_run_of_an_unchanged_pipeline_takes_every_stage_from_the_cache_and_loads_nothing()
    {
        await _ws.RunAsync(TestPipelines.Default);
        var second = await _ws.RunAsync(TestPipelines.Default);

        Assert.True(second.Succeeded);
        Assert.All(second.Stages, s => Assert.Equal(StageStatus.Cached, s.Status));
        Assert.All(AllStages, s => Assert.Equal(1, _ws.Log.Runs(s)));
        // Nothing downstream needed a value, so no output was read back.
        Assert.All(AllStages, s => Assert.Equal(0, _ws.Log.Reads(s)));
        // Asking for an output afterwards loads it from the cache.
        var total = (await second.OutputAsync<Numbers>("total", CancellationToken.None)).Value();
        Assert.Equal(new long[] { 180L }, total.Values.ToArray());
        Assert.Equal(1, _ws.Log.Reads("total"));
    }

    [Fact]
    public async Task Changing_one_parameter_reruns_that_stage_and_its_dependants_only()
    {
        await _ws.RunAsync(TestPipelines.Default);
        var changed = TestPipelines.Default.Replace("factor: 3", "factor: 4");
        var run = await _ws.RunAsync(changed);

        Assert.True(run.Succeeded, run.FirstError?.Message);
        Assert.Equal(new Dictionary<string, StageStatus>
        {
            ["source"] = StageStatus.Cached, ["scale"] = StageStatus.Computed,
            ["total"] = StageStatus.Computed, ["side"] = StageStatus.Cached,
        }, run.Statuses());
        Assert.Equal(1, _ws.Log.Runs("source"));
        Assert.Equal(2, _ws.Log.Runs("scale"));
        Assert.Equal(2, _ws.Log.Runs("total"));
        Assert.Equal(1, _ws.Log.Runs("side"));
        // scale needed source's output: read once from the cache; total got scale's from memory.
        Assert.Equal(1, _ws.Log.Reads("source"));
        Assert.Equal(0, _ws.Log.Reads("scale"));
        Assert.Equal(new long[] { 240L }, (await run.OutputAsync<Numbers>("total", CancellationToken.None)).Value().Values.ToArray());
    }

    [Fact]
    public async Task Changing_a_root_parameter_reruns_everything_downstream()
    {
        await _ws.RunAsync(TestPipelines.Default);
        var run = await _ws.RunAsync(TestPipelines.Default.Replace("offset: 10", "offset: 11"));
        Assert.All(run.Stages, s => Assert.Equal(StageStatus.Computed, s.Status));
    }

    [Fact]
    public async Task A_failing_stage_fails_its_dependants_with_a_message_naming_it_and_spares_the_rest()
    {
        var run = await _ws.RunAsync(TestPipelines.Default.Replace("factor: 3", "factor: 3, fail: true"));

        Assert.False(run.Succeeded);
        Assert.Equal(StageStatus.Computed, run["source"].Status);
        Assert.Equal(StageStatus.Failed, run["scale"].Status);
        Assert.Equal(StageStatus.Skipped, run["total"].Status);
        Assert.Equal(StageStatus.Computed, run["side"].Status);
        Assert.Equal("stage 'scale' failed: scale refuses to run", run["scale"].Error!.Message);
        Assert.Equal("stage 'total' did not run because its input 'scale' failed", run["total"].Error!.Message);
        Assert.Equal(run["scale"].Error, run.FirstError);
        Assert.Equal(0, _ws.Log.Runs("total"));
        Assert.True((await run.OutputAsync<Numbers>("total", CancellationToken.None)).IsFail);
    }

    [Fact]
    public async Task A_stage_that_throws_is_reported_as_failed_not_thrown()
    {
        var run = await _ws.RunAsync(TestPipelines.Default.Replace("factor: 3", "factor: 3, throw: true"));

        Assert.Equal(StageStatus.Failed, run["scale"].Status);
        Assert.Equal(EngineErrors.StageFailedCode, run["scale"].Error!.Code);
        Assert.Contains("scale exploded", run["scale"].Error!.Message);
        Assert.Equal(StageStatus.Skipped, run["total"].Status);
    }

    [Fact]
    public async Task A_failed_stage_is_not_cached_and_runs_again_once_fixed()
    {
        await _ws.RunAsync(TestPipelines.Default.Replace("factor: 3", "factor: 3, fail: true"));
        var fixedRun = await _ws.RunAsync(TestPipelines.Default);
        Assert.Equal(StageStatus.Cached, fixedRun["source"].Status);
        Assert.Equal(StageStatus.Computed, fixedRun["scale"].Status);
        Assert.Equal(StageStatus.Computed, fixedRun["total"].Status);
        Assert.Equal(StageStatus.Cached, fixedRun["side"].Status);
    }

    [Fact]
    public async Task Until_runs_the_stage_and_its_ancestors_only()
    {
        var run = await _ws.RunAsync(TestPipelines.Default, new PlanOptions(Until: "scale"));
        Assert.Equal(["source", "scale"], run.Stages.Select(s => s.Name));
        Assert.Equal(0, _ws.Log.Runs("total"));
        Assert.Equal(0, _ws.Log.Runs("side"));
    }

    [Fact]
    public async Task Force_recomputes_the_stage_and_everything_downstream_of_it()
    {
        await _ws.RunAsync(TestPipelines.Default);
        var run = await _ws.RunAsync(TestPipelines.Default, new PlanOptions(Force: ["scale"]));
        Assert.True(run.Succeeded, run.FirstError?.Message);
        Assert.Equal(new Dictionary<string, StageStatus>
        {
            ["source"] = StageStatus.Cached, ["scale"] = StageStatus.Computed,
            ["total"] = StageStatus.Computed, ["side"] = StageStatus.Cached,
        }, run.Statuses());
        // The keys did not change, and the recomputed entries replaced the old ones.
        var again = await _ws.RunAsync(TestPipelines.Default);
        Assert.All(again.Stages, s => Assert.Equal(StageStatus.Cached, s.Status));
    }

    [Fact]
    public async Task Unknown_until_or_force_stage_is_an_error_listing_the_stages()
    {
        var pipeline = _ws.Load(TestPipelines.Default);
        var until = await PipelinePlanner.PlanAsync(pipeline, new PlanOptions(Until: "sum"), new FileFingerprints(), CancellationToken.None);
        Assert.Equal("--until: unknown stage 'sum'; stages of this pipeline are source, scale, total, side", until.ErrorOf().Message);
        var force = await PipelinePlanner.PlanAsync(pipeline, new PlanOptions(Force: ["nope"]), new FileFingerprints(), CancellationToken.None);
        Assert.StartsWith("--force: unknown stage 'nope'", force.ErrorOf().Message);
    }

    [Fact]
    public async Task Forcing_a_stage_the_run_leaves_out_is_an_error_not_a_silent_no_op()
    {
        var pipeline = _ws.Load(TestPipelines.Default);
        var plan = await PipelinePlanner.PlanAsync(pipeline, new PlanOptions(Until: "scale", Force: ["side"]), new FileFingerprints(), CancellationToken.None);
        Assert.Equal("--force side: stage 'side' is not part of this run (it runs the stages 'scale' needs: source, scale); add --until side to run it",
            plan.ErrorOf().Message);
    }

    [Fact]
    public async Task A_corrupted_file_in_a_cache_entry_is_detected_logged_and_recomputed()
    {
        var first = await _ws.RunAsync(TestPipelines.Default);
        var file = Path.Combine(_ws.Store.EntryDirectory(first["scale"].Key!.Value), "numbers.parquet");
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(file, bytes);

        var run = await _ws.RunAsync(TestPipelines.Default);

        Assert.Equal(StageStatus.Computed, run["scale"].Status);
        Assert.Equal(StageStatus.Cached, run["total"].Status);
        Assert.Equal(2, _ws.Log.Runs("scale"));
        Assert.Contains(_ws.Logger.Warnings, w => w.Contains("stage 'scale' is corrupt") && w.Contains("numbers.parquet does not match its SHA-256"));
        var third = await _ws.RunAsync(TestPipelines.Default);
        Assert.All(third.Stages, s => Assert.Equal(StageStatus.Cached, s.Status));
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("delete-file")]
    [InlineData("delete-manifest")]
    [InlineData("garble-manifest")]
    public async Task A_damaged_entry_is_never_trusted(string damage)
    {
        var first = await _ws.RunAsync(TestPipelines.Default);
        var entry = _ws.Store.EntryDirectory(first["source"].Key!.Value);
        var data = Path.Combine(entry, "numbers.parquet");
        var manifest = Path.Combine(entry, MemoManifest.FileName);
        switch (damage)
        {
            case "truncate": File.WriteAllBytes(data, File.ReadAllBytes(data)[..10]); break;
            case "delete-file": File.Delete(data); break;
            case "delete-manifest": File.Delete(manifest); break;
            case "garble-manifest": File.WriteAllText(manifest, "{ not json"); break;
        }

        var run = await _ws.RunAsync(TestPipelines.Default);

        Assert.Equal(StageStatus.Computed, run["source"].Status);
        Assert.Equal(2, _ws.Log.Runs("source"));
        Assert.Single(_ws.Logger.Warnings);
    }

    [Fact]
    public async Task A_partially_written_entry_left_in_tmp_is_ignored()
    {
        var plan = await _ws.PlanAsync(TestPipelines.Default);
        var key = plan["source"].Key!.Value;
        // What a crash during a write leaves: a temp folder holding some of the files, no rename.
        var partial = Path.Combine(_ws.CacheRoot, "tmp", $"{key.Hex}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(partial);
        File.WriteAllText(Path.Combine(partial, "numbers.parquet"), "half a file");

        var run = await _ws.RunAsync(TestPipelines.Default);

        Assert.Equal(StageStatus.Computed, run["source"].Status);
        Assert.Empty(_ws.Logger.Warnings);
        Assert.True(Directory.Exists(partial)); // untouched until pruned
        Assert.Equal(new long[] { 10L, 11, 12, 13, 14 }, (await run.OutputAsync<Numbers>("source", CancellationToken.None)).Value().Values.ToArray());
        Directory.SetLastWriteTimeUtc(partial, DateTime.UtcNow.AddDays(-2));
        Assert.Equal(1, _ws.Store.PruneTemp(TimeSpan.FromDays(1)));
        Assert.False(Directory.Exists(partial));
    }

    [Fact]
    public async Task An_entry_whose_files_verify_but_do_not_decode_is_recomputed_when_needed()
    {
        await _ws.RunAsync(TestPipelines.Default);
        _ws.Log.BrokenReads["source"] = true;

        var run = await _ws.RunAsync(TestPipelines.Default.Replace("factor: 3", "factor: 5"));

        Assert.True(run.Succeeded);
        Assert.Equal(2, _ws.Log.Runs("source"));
        Assert.Contains(_ws.Logger.Warnings, w => w.Contains("stage 'source' is corrupt") && w.Contains("cannot read its files"));
        Assert.Equal(new long[] { 300L }, (await run.OutputAsync<Numbers>("total", CancellationToken.None)).Value().Values.ToArray());
    }

    [Fact]
    public async Task Run_outputs_hold_each_stage_files_and_a_manifest_pointing_at_the_cache_key()
    {
        var run = await _ws.RunAsync(TestPipelines.Default);
        var outputs = _ws.Outputs();
        foreach (var stage in run.Stages)
        {
            var manifest = outputs.ReadManifest(stage.Name);
            Assert.NotNull(manifest);
            Assert.Equal(stage.Key!.Value.Hex, manifest.Key);
            Assert.False(manifest.Cached);
            Assert.Equal(_ws.Store.EntryDirectory(stage.Key!.Value), manifest.CacheEntry);
            var file = Path.Combine(outputs.StageDirectory(stage.Name), "numbers.parquet");
            Assert.Equal(File.ReadAllBytes(Path.Combine(manifest.CacheEntry, "numbers.parquet")), File.ReadAllBytes(file));
        }
        Assert.True(File.Exists(Path.Combine(outputs.Directory, "run.json")));
        var second = await _ws.RunAsync(TestPipelines.Default);
        Assert.True(outputs.ReadManifest("total")!.Cached);
    }

    [Fact]
    public async Task Status_reports_missing_then_cached_then_stale_after_a_change()
    {
        var plan = await _ws.PlanAsync(TestPipelines.Default);
        var before = await PipelineStatus.InspectAsync(plan, _ws.Store, _ws.Outputs(), CancellationToken.None);
        Assert.All(before, s => Assert.Equal(CacheState.Missing, s.State));

        await _ws.RunAsync(TestPipelines.Default);
        var after = await PipelineStatus.InspectAsync(plan, _ws.Store, _ws.Outputs(), CancellationToken.None);
        Assert.All(after, s => Assert.Equal(CacheState.Cached, s.State));

        var changed = await _ws.PlanAsync(TestPipelines.Default.Replace("factor: 3", "factor: 7"));
        var stale = await PipelineStatus.InspectAsync(changed, _ws.Store, _ws.Outputs(), CancellationToken.None);
        Assert.Equal([CacheState.Cached, CacheState.Stale, CacheState.Stale, CacheState.Cached], stale.Select(s => s.State));
    }

    [Fact]
    public async Task A_canceled_run_reports_canceled_stages()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var run = await _ws.RunAsync(TestPipelines.Default, ct: cts.Token);
        Assert.False(run.Succeeded);
        Assert.All(run.Stages, s => Assert.Equal(StageStatus.Canceled, s.Status));
        Assert.All(AllStages, s => Assert.Equal(0, _ws.Log.Runs(s)));
    }

    [Fact]
    public async Task Progress_events_announce_every_stage_start_and_finish()
    {
        var plan = await _ws.PlanAsync(TestPipelines.Default);
        var events = new System.Collections.Concurrent.ConcurrentQueue<StageEvent>();
        var progress = new SynchronousProgress<StageEvent>(events.Enqueue);
        await new PipelineRunner(_ws.Store, _ws.Logger).RunAsync(plan, null, progress, CancellationToken.None);
        foreach (var stage in AllStages)
        {
            Assert.Single(events, e => e.Stage == stage && e.Kind == StageEventKind.Started);
            Assert.Single(events, e => e.Stage == stage && e.Kind == StageEventKind.Finished && e.Report!.Status == StageStatus.Computed);
        }
    }


    static TestStages.Module Join(StageLog log) => new("join", ["join"], (s, _) => s["join"].Read(_ => new EmptyConfig())
        .Map(c => (Stages.IStage)Stages.Stage.Pure("join", "1", c, new NumbersCodec("join", log), [TestStages.Scale, new Stages.StageInput<Numbers>("side")],
            (_, inputs, _) =>
            {
                log.Ran("join");
                return LanguageExt.Prelude.FinSucc(new Numbers([.. inputs.Get(TestStages.Scale).Values, .. inputs.Get(new Stages.StageInput<Numbers>("side")).Values]));
            })));

    [Fact]
    public async Task A_stage_with_two_inputs_waits_for_both_and_sees_both()
    {
        var catalog = TestStages.Catalog(_ws.Log).With(Join(_ws.Log));
        var plan = (await PipelinePlanner.PlanAsync(_ws.Load(TestPipelines.Default + "\njoin: {}\n", catalog), new PlanOptions(),
            new FileFingerprints(), CancellationToken.None)).Value();
        var run = await new PipelineRunner(_ws.Store, _ws.Logger).RunAsync(plan, null, null, CancellationToken.None);

        Assert.True(run.Succeeded);
        Assert.Equal(new long[] { 30, 33, 36, 39, 42, 11, 12, 13, 14, 15 },
            (await run.OutputAsync<Numbers>("join", CancellationToken.None)).Value().Values.ToArray());
    }

    [Fact]
    public async Task A_stage_with_two_inputs_is_skipped_naming_only_the_input_that_failed()
    {
        var catalog = TestStages.Catalog(_ws.Log).With(Join(_ws.Log));
        var yaml = TestPipelines.Default.Replace("factor: 3", "factor: 3, fail: true") + "\njoin: {}\n";
        var plan = (await PipelinePlanner.PlanAsync(_ws.Load(yaml, catalog), new PlanOptions(), new FileFingerprints(), CancellationToken.None)).Value();
        var run = await new PipelineRunner(_ws.Store, _ws.Logger).RunAsync(plan, null, null, CancellationToken.None);

        Assert.Equal(StageStatus.Skipped, run["join"].Status);
        Assert.Equal("stage 'join' did not run because its input 'scale' failed", run["join"].Error!.Message);
        Assert.Equal(0, _ws.Log.Runs("join"));
    }
}

public sealed class MeasurementTests : IDisposable
{
    readonly Workspace _ws = new();
    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task A_stages_measurements_go_to_its_manifests_and_timings_not_its_output_and_survive_a_cached_run()
    {
        var first = await _ws.RunAsync(TestPipelines.Default);
        var total = first.Stages.Single(s => s.Name == "total");
        Assert.Equal(5, total.Measurements["values_summed"]);
        Assert.NotNull(total.MeasuredUtc);
        Assert.Empty(first.Stages.Single(s => s.Name == "side").Measurements);

        var runFolder = _ws.Outputs().Directory;
        var manifest = RunStageManifest.FromJson(File.ReadAllText(Path.Combine(runFolder, "total", MemoManifest.FileName)))!;
        Assert.Equal(5, manifest.Measurements!["values_summed"]);
        var timings = File.ReadAllText(Path.Combine(runFolder, "timings.md"));
        Assert.Contains("| values_summed | 5 |", timings);
        // The output holds the value only.
        Assert.Equal(new long[] { 180L }, (await first.OutputAsync<Numbers>("total", CancellationToken.None)).Value().Values.ToArray());

        var second = await _ws.RunAsync(TestPipelines.Default);
        var cached = second.Stages.Single(s => s.Name == "total");
        Assert.Equal(StageStatus.Cached, cached.Status);
        Assert.Equal(5, cached.Measurements["values_summed"]);
        Assert.Equal(total.MeasuredUtc, cached.MeasuredUtc);
        Assert.Contains("(an earlier run)", File.ReadAllText(Path.Combine(runFolder, "timings.md")));
    }
}

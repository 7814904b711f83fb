using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Tests.Support;

namespace Llm4Sbr.Engine.Tests;

/// <summary>Writes the file system refuses (a full disk, a vanished file): a cache entry or a run folder that
/// cannot be written fails its stage with the folder named and what a rerun does, leaves nothing
/// half-written behind and keeps what an earlier run wrote.</summary>
public sealed class WriteFailureTests : IDisposable
{
    readonly Workspace _ws = new();
    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task A_publish_that_cannot_copy_names_the_run_folder_and_leaves_no_partial_folder()
    {
        var run = await _ws.RunAsync(TestPipelines.Default);
        var total = run.Stages.Single(s => s.Name == "total");
        var lookup = await _ws.Store.LookupAsync(total.Key!.Value, "total", CancellationToken.None);
        var entry = Assert.IsType<MemoLookup.Hit>(lookup).Entry;
        var outputs = _ws.Outputs();
        var published = File.ReadAllBytes(Path.Combine(outputs.StageDirectory("total"), "numbers.parquet"));

        // The entry's file goes missing between the lookup and the copy.
        File.Delete(entry.PathOf("numbers.parquet"));
        var error = await Assert.ThrowsAsync<IOException>(() => outputs.PublishAsync(entry, cached: true, seconds: 0, CancellationToken.None));

        Assert.Contains($"cannot write the run folder {outputs.StageDirectory("total")}", error.Message);
        Assert.Contains("a rerun reuses it", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(outputs.Directory, ".total.*.tmp"));
        Assert.Equal(published, File.ReadAllBytes(Path.Combine(outputs.StageDirectory("total"), "numbers.parquet")));
    }

    [Fact]
    public async Task A_cache_entry_that_cannot_be_written_fails_its_stage_naming_the_cache_and_leaves_no_entry()
    {
        Directory.CreateDirectory(_ws.CacheRoot);
        File.WriteAllText(Path.Combine(_ws.CacheRoot, "tmp"), "in the way"); // where entries are written first

        var run = await _ws.RunAsync(TestPipelines.Default);

        Assert.False(run.Succeeded);
        Assert.Equal(Llm4Sbr.Engine.Dataflow.StageStatus.Failed, run["source"].Status);
        Assert.StartsWith($"stage 'source' failed: its result could not be stored in the cache {_ws.CacheRoot} (", run["source"].Error!.Message);
        Assert.EndsWith("; a rerun computes it again", run["source"].Error!.Message);
        Assert.IsType<MemoLookup.Miss>(await _ws.Store.LookupAsync(run["source"].Key!.Value, "source", CancellationToken.None));

        File.Delete(Path.Combine(_ws.CacheRoot, "tmp"));
        Assert.True((await _ws.RunAsync(TestPipelines.Default)).Succeeded);
    }

    [Fact]
    public async Task A_run_summary_that_cannot_be_written_is_a_warning_and_the_run_keeps_its_result()
    {
        // A folder where run.json goes: the file cannot replace it.
        Directory.CreateDirectory(Path.Combine(_ws.Outputs().Directory, "run.json"));

        var run = await _ws.RunAsync(TestPipelines.Default);

        Assert.True(run.Succeeded, run.FirstError?.Message);
        Assert.Contains(_ws.Logger.Warnings, w => w.StartsWith($"cannot write the run's run.json and timings.md in {_ws.Outputs().Directory}: ", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(_ws.Outputs().Directory, ".run.json.*.tmp"));
    }

    [Fact]
    public async Task A_damaged_file_of_a_run_folder_is_restored_from_the_cache_by_a_plain_rerun()
    {
        var first = await _ws.RunAsync(TestPipelines.Default);
        var file = Path.Combine(_ws.Outputs().StageDirectory("total"), "numbers.parquet");
        File.WriteAllBytes(file, [1, 2, 3]);

        var second = await _ws.RunAsync(TestPipelines.Default);

        Assert.All(second.Stages, s => Assert.Equal(Llm4Sbr.Engine.Dataflow.StageStatus.Cached, s.Status));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_ws.Store.EntryDirectory(first["total"].Key!.Value), "numbers.parquet")), File.ReadAllBytes(file));
    }
}

using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Tests.Support;

namespace Llm4Sbr.Engine.Tests;

/// <summary>A stage folder that cannot be written (a full disk, a vanished file) fails with the run folder
/// named, leaves no half-written folder behind and keeps the folder an earlier run published.</summary>
public sealed class RunOutputsFailureTests : IDisposable
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
}

using Llm4Sbr.Host.Refresh;
using Microsoft.Extensions.Logging.Abstractions;

namespace Llm4Sbr.Host.Tests;

/// <summary>The real refresher on the bundled MovieLens small pipeline (data stages only, to stay fast).</summary>
public sealed class EnginePipelineRefresherTests : IDisposable
{
    readonly string _cache = Path.Combine(Path.GetTempPath(), $"llm4sbr-host-cache-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_cache)) Directory.Delete(_cache, recursive: true);
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Llm4Sbr.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    EnginePipelineRefresher Refresher() => new(
        new RefreshSettings(["movielens-small"], TimeSpan.FromHours(2), "samples", false, RepositoryRoot(), _cache),
        _ => null, TimeProvider.System, NullLogger<EnginePipelineRefresher>.Instance);

    [Fact]
    public async Task A_second_refresh_finds_every_stage_cached()
    {
        var first = await Refresher().RefreshAsync("movielens-small", "samples", CancellationToken.None);
        Assert.True(first.Succeeded, first.Error);
        Assert.Equal((4, 0), (first.Computed, first.Cached));
        var second = await Refresher().RefreshAsync("movielens-small", "samples", CancellationToken.None);
        Assert.Equal((0, 4), (second.Computed, second.Cached));
    }

    [Fact]
    public async Task An_unknown_pipeline_or_stage_is_an_outcome_with_the_error_not_an_exception()
    {
        var missing = await Refresher().RefreshAsync("no-such-pipeline", "samples", CancellationToken.None);
        Assert.False(missing.Succeeded);
        Assert.Contains("no-such-pipeline", missing.Error);
        var badStage = await Refresher().RefreshAsync("movielens-small", "sampels", CancellationToken.None);
        Assert.Contains("--until: unknown stage 'sampels'", badStage.Error);
    }
}

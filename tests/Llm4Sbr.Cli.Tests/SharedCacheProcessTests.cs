using System.Text.Json;
using Llm4Sbr.Engine.Memo;
using Microsoft.Extensions.Logging.Abstractions;

namespace Llm4Sbr.Cli.Tests;

/// <summary>Two <c>llm4sbr</c> processes on one cache: each stage is computed by one of them, the
/// other waits for it and takes it from the cache.</summary>
public sealed class SharedCacheProcessTests : IDisposable
{
    readonly CliRunner _cli = new();
    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Two_processes_on_one_cache_compute_each_stage_once()
    {
        var pipeline = _cli.DataOnlyCopy("movielens-small");
        var load = await _cli.StageKeyAsync(pipeline, "load");

        // The test holds the first stage's lock, as a third process computing it would, so both
        // processes are certainly running at once when it lets go.
        var store = new MemoStore(_cli.Cache, NullLogger.Instance, TimeProvider.System);
        CliProcess[] runs;
        using (await store.LockAsync(load, "load", null, CancellationToken.None))
        {
            runs = [Run(pipeline, "one"), Run(pipeline, "two")];
            using var liveness = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // liveness only, not a timing check
            await Task.WhenAll(runs.Select(r => r.Waiting.Task.WaitAsync(liveness.Token)))
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext); // without the lock they never wait, and the counts below fail
        }
        var results = await Task.WhenAll(runs.Select(r => r.Finished));

        Assert.All(results, r => Assert.True(r.Code == 0, r.Error));
        var computed = new Dictionary<string, int>();
        foreach (var result in results)
            foreach (var stage in JsonDocument.Parse(result.Out).RootElement.GetProperty("stages").EnumerateArray())
            {
                var name = stage.GetProperty("name").GetString()!;
                computed[name] = computed.GetValueOrDefault(name) + (stage.GetProperty("cached").GetBoolean() ? 0 : 1);
            }
        Assert.Equal(["load", "sessions", "split", "samples"], computed.Keys);
        Assert.All(computed, p => Assert.True(p.Value == 1, $"stage '{p.Key}' was computed {p.Value} times"));
    }

    CliProcess Run(string pipeline, string name) =>
        new(["run", pipeline, "--until", "samples", "--cache", _cli.Cache, "--out", Path.Combine(_cli.Runs, name), "--json"]);
}

using Llm4Sbr.Engine.Memo;
using Microsoft.Extensions.Logging.Abstractions;

namespace Llm4Sbr.Cli.Tests;

/// <summary>SIGTERM (or Ctrl+C) cancels a run: the running stage stops, the command says so in its one
/// error line and exits 130, and nothing half-made lands in the cache.</summary>
public sealed class CancellationProcessTests : IDisposable
{
    readonly CliRunner _cli = new();
    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_terminated_run_stops_says_canceled_and_exits_130()
    {
        var pipeline = _cli.DataOnlyCopy("movielens-small");
        var load = await _cli.StageKeyAsync(pipeline, "load");

        // The test holds the first stage's lock, as another process computing it would: the run is then
        // certainly inside the stage (waiting) when the signal comes, whatever the machine's speed.
        var store = new MemoStore(_cli.Cache, NullLogger.Instance, TimeProvider.System);
        CliProcess run;
        using (await store.LockAsync(load, "load", null, CancellationToken.None))
        {
            run = new CliProcess(["run", pipeline, "--until", "samples", "--cache", _cli.Cache, "--out", Path.Combine(_cli.Runs, "x")]);
            using var liveness = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // liveness only, not a timing check
            await run.Waiting.Task.WaitAsync(liveness.Token);
            run.Terminate();
            var (code, output, error) = await run.Finished;

            Assert.True(code == ExitCodes.Canceled, $"exit {code}: {error}");
            var last = error.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
            Assert.StartsWith("error: ", last);
            Assert.Contains("canceled", last);
            Assert.Contains("canceled", output);                           // the run's table says which stage
        }
        var after = await _cli.RawAsync(["status", pipeline, "--cache", _cli.Cache, "--json"]);
        Assert.All(after.Json().GetProperty("stages").EnumerateArray(), s => Assert.Equal("missing", s.GetProperty("state").GetString()));
    }
}

using System.Text.Json;
using System.Threading.Channels;
using Llm4Sbr.Host.Refresh;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Llm4Sbr.Host.Tests;

public sealed class NightlyRefreshServiceTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"llm4sbr-host-{Guid.NewGuid():N}");
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 1, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    RefreshSettings Settings(bool runOnStart = false) =>
        new(["a", "b"], TimeSpan.FromHours(2), "localize", runOnStart, _root, Path.Combine(_root, "cache"));

    /// <summary>Records each call; pipeline "b" fails when told to.</summary>
    sealed class FakeRefresher(bool failB) : IPipelineRefresher
    {
        public Channel<(string Pipeline, DateTimeOffset At)> Calls { get; } = Channel.CreateUnbounded<(string, DateTimeOffset)>();
        public TimeProvider? Time { get; set; }

        public Task<RefreshOutcome> RefreshAsync(string pipeline, string until, CancellationToken cancellationToken)
        {
            Calls.Writer.TryWrite((pipeline, Time!.GetUtcNow()));
            return Task.FromResult(failB && pipeline == "b"
                ? new RefreshOutcome(pipeline, false, 0, 0, 0, "stage 'infer' failed: endpoint refused")
                : new RefreshOutcome(pipeline, true, 5, 4, 1.5, null));
        }
    }

    /// <summary>A wait the test steps itself: each wait is posted to <paramref name="waits"/>, and the
    /// test moves the clock to its time and completes it.</summary>
    static Func<TimeProvider, DateTimeOffset, CancellationToken, Task> Stepped(Channel<(DateTimeOffset Until, TaskCompletionSource Done)> waits) =>
        (_, until, stopping) =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            stopping.Register(() => done.TrySetCanceled(stopping));
            waits.Writer.TryWrite((until, done));
            return done.Task;
        };

    static async Task<(string Pipeline, DateTimeOffset At)> Next(FakeRefresher refresher)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // liveness only, not a timing check
        return await refresher.Calls.Reader.ReadAsync(wait.Token);
    }

    [Fact]
    public async Task It_refreshes_every_pipeline_at_the_time_of_day_and_again_the_next_night()
    {
        var refresher = new FakeRefresher(failB: false) { Time = _time };
        // The service asks to wait until a time; the test moves the clock there and lets it go on.
        var waits = Channel.CreateUnbounded<(DateTimeOffset Until, TaskCompletionSource Done)>();
        using var service = new NightlyRefreshService(Settings(), refresher, _time, NullLogger<NightlyRefreshService>.Instance)
        {
            WaitUntil = Stepped(waits),
        };
        await service.StartAsync(CancellationToken.None);
        using var liveness = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // liveness only, not a timing check

        var night = await waits.Reader.ReadAsync(liveness.Token);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero), night.Until);
        Assert.False(refresher.Calls.Reader.TryRead(out _), "refreshed before its time");
        _time.Advance(night.Until - _time.GetUtcNow());
        night.Done.SetResult();
        Assert.Equal(("a", night.Until), await Next(refresher));
        Assert.Equal(("b", night.Until), await Next(refresher));

        var nextNight = await waits.Reader.ReadAsync(liveness.Token);
        Assert.Equal(night.Until.AddDays(1), nextNight.Until);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Waiting_until_a_time_ends_when_the_clock_reaches_it()
    {
        var until = _time.GetUtcNow().AddHours(1);
        var wait = NightlyRefreshService.WaitUntilAsync(_time, until, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.False(wait.IsCompleted);
        _time.Advance(TimeSpan.FromMinutes(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(30)); // liveness only
        Assert.True(NightlyRefreshService.WaitUntilAsync(_time, until, CancellationToken.None).IsCompleted, "a past time needs no wait");
    }

    [Fact]
    public async Task A_failing_pipeline_is_recorded_and_the_others_still_refresh()
    {
        var refresher = new FakeRefresher(failB: true) { Time = _time };
        using var service = new NightlyRefreshService(Settings(), refresher, _time, NullLogger<NightlyRefreshService>.Instance);

        var round = await service.RunRoundAsync(CancellationToken.None);

        Assert.False(round.Succeeded);
        Assert.Equal(["a", "b"], round.Pipelines.Select(p => p.Pipeline));
        using var status = JsonDocument.Parse(File.ReadAllText(service.StatusFile));
        var pipelines = status.RootElement.GetProperty("pipelines");
        Assert.True(pipelines[0].GetProperty("succeeded").GetBoolean());
        Assert.Equal("stage 'infer' failed: endpoint refused", pipelines[1].GetProperty("error").GetString());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(service.StatusFile)!, "*.tmp"));
    }

    sealed class ErrorLog : Microsoft.Extensions.Logging.ILogger<NightlyRefreshService>
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Errors { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= Microsoft.Extensions.Logging.LogLevel.Error) Errors.Enqueue(formatter(state, exception));
        }
    }

    [Fact]
    public async Task A_status_file_that_cannot_be_written_is_an_error_in_the_log_and_the_round_still_ends()
    {
        var refresher = new FakeRefresher(failB: false) { Time = _time };
        var log = new ErrorLog();
        using var service = new NightlyRefreshService(Settings(), refresher, _time, log);
        // A file where the status folder goes (as a full or read-only disk would refuse it).
        var folder = Path.GetDirectoryName(service.StatusFile)!;
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        File.WriteAllText(folder, "in the way");

        var round = await service.RunRoundAsync(CancellationToken.None);

        Assert.True(round.Succeeded);
        var error = Assert.Single(log.Errors);
        Assert.Contains($"cannot write the refresh status {service.StatusFile}", error);
    }

    /// <summary>Throws for pipeline "a" (a bug or an I/O failure, not an error value).</summary>
    sealed class ThrowingRefresher(FakeRefresher inner) : IPipelineRefresher
    {
        public Task<RefreshOutcome> RefreshAsync(string pipeline, string until, CancellationToken cancellationToken) =>
            pipeline == "a"
                ? throw new IOException("disk full while publishing 'a'")
                : inner.RefreshAsync(pipeline, until, cancellationToken);
    }

    [Fact]
    public async Task A_pipeline_that_throws_is_recorded_and_the_next_round_still_runs()
    {
        var calls = new FakeRefresher(failB: false) { Time = _time };
        var waits = Channel.CreateUnbounded<(DateTimeOffset Until, TaskCompletionSource Done)>();
        using var service = new NightlyRefreshService(Settings(runOnStart: true), new ThrowingRefresher(calls), _time, NullLogger<NightlyRefreshService>.Instance)
        {
            WaitUntil = Stepped(waits),
        };
        await service.StartAsync(CancellationToken.None);
        using var liveness = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // liveness only, not a timing check

        Assert.Equal("b", (await Next(calls)).Pipeline); // the start round went on past "a"
        var night = await waits.Reader.ReadAsync(liveness.Token);
        using (var status = JsonDocument.Parse(File.ReadAllText(service.StatusFile)))
        {
            var pipelines = status.RootElement.GetProperty("pipelines");
            Assert.False(pipelines[0].GetProperty("succeeded").GetBoolean());
            Assert.Contains("disk full while publishing 'a'", pipelines[0].GetProperty("error").GetString());
            Assert.True(pipelines[1].GetProperty("succeeded").GetBoolean());
        }
        _time.Advance(night.Until - _time.GetUtcNow());
        night.Done.SetResult();
        Assert.Equal(("b", night.Until), await Next(calls)); // the night's round ran too
        Assert.False(service.ExecuteTask!.IsFaulted, service.ExecuteTask.Exception?.ToString());
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Run_on_start_refreshes_at_once()
    {
        var refresher = new FakeRefresher(failB: false) { Time = _time };
        using var service = new NightlyRefreshService(Settings(runOnStart: true), refresher, _time, NullLogger<NightlyRefreshService>.Instance);
        await service.StartAsync(CancellationToken.None);
        Assert.Equal(("a", _time.GetUtcNow()), await Next(refresher));
        await service.StopAsync(CancellationToken.None);
    }
}

using Llm4Sbr.Host.Refresh;
using Llm4Sbr.Tests.Shared;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Host.Tests;

/// <summary>The real refresher on the bundled MovieLens small pipeline (data stages only, to stay fast).</summary>
public sealed class EnginePipelineRefresherTests : IDisposable
{
    readonly string _cache = Path.Combine(Path.GetTempPath(), $"llm4sbr-host-cache-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_cache)) Directory.Delete(_cache, recursive: true);
    }

    /// <summary>The messages logged at Information and above.</summary>
    sealed class RecordingLogger : ILogger<EnginePipelineRefresher>
    {
        readonly Lock _gate = new();
        readonly List<string> _messages = [];
        public string[] Messages { get { lock (_gate) return [.. _messages]; } }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) lock (_gate) _messages.Add(formatter(state, exception));
        }
    }

    EnginePipelineRefresher Refresher(RecordingLogger? logger = null) => new(
        new RefreshSettings(["movielens-small"], TimeSpan.FromHours(2), "samples", false, RepositoryRoot.Path, _cache),
        _ => null, TimeProvider.System, logger ?? new RecordingLogger());

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
    public async Task A_refresh_logs_each_stage_it_computes_and_nothing_for_cached_ones()
    {
        var logger = new RecordingLogger();
        await Refresher(logger).RefreshAsync("movielens-small", "samples", CancellationToken.None);
        var computed = logger.Messages.Where(m => m.Contains(": computed in ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["load", "sessions", "split", "samples"], computed.Select(m => m.Split(": ")[1]));
        Assert.All(computed, m => Assert.StartsWith("movielens-small: ", m));

        var again = new RecordingLogger();
        await Refresher(again).RefreshAsync("movielens-small", "samples", CancellationToken.None);
        Assert.DoesNotContain(again.Messages, m => m.Contains(": computed in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_pipeline_or_stage_is_an_outcome_with_the_error_not_an_exception()
    {
        var missing = await Refresher().RefreshAsync("no-such-pipeline", "samples", CancellationToken.None);
        Assert.False(missing.Succeeded);
        Assert.Contains("no-such-pipeline", missing.Error);
        var badStage = await Refresher().RefreshAsync("movielens-small", "sampels", CancellationToken.None);
        Assert.Contains("Refresh:Until: unknown stage 'sampels'", badStage.Error);
    }

    [Fact]
    public async Task The_start_check_names_what_would_fail_every_night_and_passes_a_good_pipeline_without_running_it()
    {
        var refresher = Refresher();

        var missing = await refresher.CheckAsync("no-such-pipeline", "localize", CancellationToken.None);
        Assert.Contains("pipeline 'no-such-pipeline' not found", missing?.Message);
        Assert.Contains("movielens-small", missing?.Message); // the valid ones are listed
        var badStage = await refresher.CheckAsync("movielens-small", "localise", CancellationToken.None);
        Assert.Contains("Refresh:Until: unknown stage 'localise'; stages of this pipeline are load,", badStage?.Message);
        Assert.Null(await refresher.CheckAsync("movielens-small", "localize", CancellationToken.None));
        Assert.False(Directory.Exists(_cache)); // a check computes nothing
    }
}

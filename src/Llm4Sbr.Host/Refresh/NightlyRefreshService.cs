using System.Text.Json;
using Llm4Sbr.Core.Files;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Host.Refresh;

/// <summary>Refreshes every configured pipeline's inference stages once a day at
/// <see cref="RefreshSettings.TimeOfDayUtc"/> (and at start with <see cref="RefreshSettings.RunOnStart"/>),
/// one pipeline after another. A pipeline that fails (an error, or an exception thrown) is logged as an error and recorded; the others
/// still run, and the next night tries it again. Each round's outcome is written atomically to
/// <see cref="StatusFile"/> for monitoring. The clock is injected, so tests drive the schedule.</summary>
public sealed class NightlyRefreshService(
    RefreshSettings settings, IPipelineRefresher refresher, TimeProvider time, ILogger<NightlyRefreshService> logger) : BackgroundService
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Where the last round's outcome is written (JSON).</summary>
    public string StatusFile => Path.Combine(settings.CacheRoot, "host", "last-refresh.json");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.RunOnStart) await RunRoundAsync(stoppingToken).ConfigureAwait(false);
        DateTimeOffset? previous = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            // From the previous scheduled time, not from when a round ended: a long round does not
            // make the schedule skip a night (a round past the next time starts the next at once).
            var next = RefreshSchedule.NextRunUtc(previous ?? time.GetUtcNow(), settings.TimeOfDayUtc);
            logger.LogInformation("next refresh of {Pipelines} at {Next:u}", string.Join(", ", settings.Pipelines), next);
            try
            {
                await (WaitUntil ?? WaitUntilAsync)(time, next, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            await RunRoundAsync(stoppingToken).ConfigureAwait(false);
            previous = next;
        }
    }

    /// <summary>How the service waits for a time (tests replace it to step the schedule themselves).</summary>
    internal Func<TimeProvider, DateTimeOffset, CancellationToken, Task>? WaitUntil { get; init; }

    /// <summary>Completes once <paramref name="time"/> reads <paramref name="until"/> or later.</summary>
    public static async Task WaitUntilAsync(TimeProvider time, DateTimeOffset until, CancellationToken cancellationToken)
    {
        for (var wait = until - time.GetUtcNow(); wait > TimeSpan.Zero; wait = until - time.GetUtcNow())
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One round over every pipeline; returns what was written to <see cref="StatusFile"/>.</summary>
    public async Task<RefreshRound> RunRoundAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var outcomes = new List<RefreshOutcome>();
        foreach (var pipeline in settings.Pipelines)
        {
            if (cancellationToken.IsCancellationRequested) break;
            logger.LogInformation("refreshing {Pipeline} up to {Until}", pipeline, settings.Until);
            var outcome = await RefreshOneAsync(pipeline, cancellationToken).ConfigureAwait(false);
            if (outcome.Succeeded)
                logger.LogInformation("refreshed {Pipeline}: {Computed} stages recomputed, {Cached} cached, {Seconds:F1} s",
                    pipeline, outcome.Computed, outcome.Cached, outcome.Seconds);
            else
                logger.LogError("refresh of {Pipeline} failed: {Error}", pipeline, outcome.Error);
            outcomes.Add(outcome);
        }
        var round = new RefreshRound(started, time.GetUtcNow(), outcomes);
        await WriteStatusAsync(round, cancellationToken).ConfigureAwait(false);
        return round;
    }

    /// <summary>A refresher that throws (a bug, a disk error) fails its pipeline like an error value
    /// would: logged with its stack trace and recorded, so the other pipelines and later rounds still run.</summary>
    async Task<RefreshOutcome> RefreshOneAsync(string pipeline, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            return await refresher.RefreshAsync(pipeline, settings.Until, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "refresh of {Pipeline} threw", pipeline);
            return new RefreshOutcome(pipeline, false, 0, 0, time.GetElapsedTime(started).TotalSeconds,
                $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>A status file that cannot be written (a full disk) is logged as an error; it does not stop
    /// the service, whose refreshes are in the cache whatever the file says, and no half-written file stays.</summary>
    async Task WriteStatusAsync(RefreshRound round, CancellationToken cancellationToken)
    {
        try
        {
            await AtomicFile.WriteAllTextAsync(StatusFile, JsonSerializer.Serialize(round, Json), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError("cannot write the refresh status {File}: {Reason}", StatusFile, e.Message);
        }
    }
}

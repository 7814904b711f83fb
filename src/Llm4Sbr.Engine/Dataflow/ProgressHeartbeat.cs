using System.Globalization;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Engine.Dataflow;

/// <summary>A run's progress as short texts for a log rather than a screen: one when a stage has computed
/// and, while a stage runs, at most one per <see cref="Every"/> with its latest progress. The shell says
/// where they go (the CLI: timestamped lines on standard error; the nightly host: its logger).
/// <para>Why: a Beauty run with the six backbones trains for hours, and a nightly refresh asks an LLM
/// for as long; without a terminal they said nothing between their start and their end, so nobody could
/// tell a slow epoch from a hung one.</para>
/// <para>Events come from the stages' own threads; <paramref name="emit"/> is called under one lock, so
/// the texts arrive in order. The clock is the caller's, so tests drive the heartbeat without waiting.</para></summary>
public sealed class ProgressHeartbeat(Action<string> emit, TimeProvider clock, TimeSpan every) : IProgress<StageEvent>
{
    /// <summary>Often enough to see an epoch move, rarely enough that a night's log stays readable (a
    /// ten-hour run: about 1,200 texts).</summary>
    public static readonly TimeSpan DefaultEvery = TimeSpan.FromSeconds(30);

    readonly Lock _gate = new();
    readonly Dictionary<string, (long Started, long LastText)> _running = [];

    public TimeSpan Every { get; } = every > TimeSpan.Zero ? every : throw new ArgumentOutOfRangeException(nameof(every), every, "must be positive");

    /// <summary>Why the sink was given up (standard error closed or a broken pipe), or null while it takes
    /// the texts. Progress never fails a stage: a sink that cannot be written to is dropped and the run goes
    /// on (with standard error closed, writing a line threw into the stage reporting, and <c>load</c> failed).</summary>
    public Exception? SinkFailure { get; private set; }

    public void Report(StageEvent value)
    {
        lock (_gate)
        {
            var now = clock.GetTimestamp();
            switch (value.Kind)
            {
                case StageEventKind.Started:
                    _running[value.Stage] = (now, now);
                    break;
                case StageEventKind.Progress:
                    if (!_running.TryGetValue(value.Stage, out var times))
                        _running[value.Stage] = (now, now);               // progress before its start (waiting on another process)
                    else if (clock.GetElapsedTime(times.LastText, now) >= Every)
                    {
                        Emit(Running(value.Stage, value.Progress, clock.GetElapsedTime(times.Started, now)));
                        _running[value.Stage] = times with { LastText = now };
                    }
                    break;
                case StageEventKind.Finished:
                    _running.Remove(value.Stage);
                    if (value.Report is { } report && Finished(report) is { } text) Emit(text);
                    break;
            }
        }
    }

    void Emit(string text)
    {
        if (SinkFailure is not null) return;
        try
        {
            emit(text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            SinkFailure = e;
        }
    }

    /// <summary>A running stage's text: <c>train: 2 of 6 (33%), srgnn epoch 3/30: batch 800/1423, loss 8.1234; 4m10s so far</c>.</summary>
    public static string Running(string stage, StageProgress progress, TimeSpan elapsed)
    {
        var parts = new List<string>(2);
        if (progress.Total is { } total and > 0)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{progress.Done:N0} of {total:N0} ({100.0 * Math.Min(progress.Done, total) / total:0}%)"));
        if (!string.IsNullOrWhiteSpace(progress.Message)) parts.Add(progress.Message);
        var what = parts.Count == 0 ? "running" : string.Join(", ", parts);
        return $"{stage}: {what}; {Duration(elapsed)} so far";
    }

    /// <summary>A finished stage's text: only for a computed one. A cached stage is in the run's summary,
    /// and a failed, skipped or canceled one in the run's error (the CLI's one <c>error:</c> line, which a
    /// script reads as the last line of standard error; the host's refresh outcome).</summary>
    public static string? Finished(StageReport report) =>
        report.Status == StageStatus.Computed ? $"{report.Name}: computed in {Duration(TimeSpan.FromSeconds(report.Seconds))}" : null;

    /// <summary><c>0.4 s</c>, <c>42.0 s</c>, <c>4m10s</c>, <c>2h05m</c>.</summary>
    public static string Duration(TimeSpan t) => t.TotalSeconds < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, t.TotalSeconds):0.0} s")
        : t.TotalHours < 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m{t.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:00}m");
}

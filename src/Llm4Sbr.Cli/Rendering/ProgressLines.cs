using System.Globalization;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Cli.Rendering;

/// <summary>How a run shows its progress: bars on a terminal (<see cref="ProgressView"/>), timestamped
/// lines on standard error (<see cref="ProgressLines"/>), or nothing.</summary>
public enum ProgressStyle { Bars, Lines, None }

/// <summary>Progress as plain lines, for a log file, a scheduler or a terminal whose standard output is
/// taken by <c>--json</c> or a redirect: a line when a stage has computed and, while a stage runs, at most
/// one line per <see cref="Every"/> with its latest progress.
/// <para>Why: a Beauty run with the six backbones trains for hours; redirected to a file it printed
/// nothing between its start and its report, so a user could not tell a slow epoch from a hung one.</para>
/// <para>Events come from the stages' own threads; one lock orders the lines. The clock is the host's,
/// so tests drive the heartbeat without waiting.</para></summary>
public sealed class ProgressLines(TextWriter writer, TimeProvider clock, TimeSpan every, string indent = "") : IProgress<StageEvent>
{
    /// <summary>The heartbeat of a running stage: often enough to see an epoch move, rarely enough that a
    /// night's log stays readable (a ten-hour run: about 1,200 lines).</summary>
    public static readonly TimeSpan DefaultEvery = TimeSpan.FromSeconds(30);

    readonly Lock _gate = new();
    readonly Dictionary<string, (long Started, long LastLine)> _running = [];

    public TimeSpan Every { get; } = every > TimeSpan.Zero ? every : throw new ArgumentOutOfRangeException(nameof(every), every, "must be positive");

    /// <summary>The style for a command: <paramref name="asked"/> if the user chose one (<c>--progress</c>),
    /// else bars where standard output is a terminal that no JSON is written to, else lines.</summary>
    public static ProgressStyle Resolve(ProgressStyle? asked, bool outputIsTerminal, bool json) =>
        asked ?? (outputIsTerminal && !json ? ProgressStyle.Bars : ProgressStyle.Lines);

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
                    else if (clock.GetElapsedTime(times.LastLine, now) >= Every)
                    {
                        Write(Running(value.Stage, value.Progress, clock.GetElapsedTime(times.Started, now)));
                        _running[value.Stage] = times with { LastLine = now };
                    }
                    break;
                case StageEventKind.Finished:
                    _running.Remove(value.Stage);
                    if (value.Report is { } report && Finished(report) is { } line) Write(line);
                    break;
            }
        }
    }

    void Write(string text) => writer.WriteLine($"{indent}{clock.GetLocalNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {text}");

    /// <summary>A running stage's line: <c>train: 2 of 6 (33%), srgnn epoch 3/30: batch 800/1,423, loss 8.1234; 4m10s so far</c>.</summary>
    public static string Running(string stage, StageProgress progress, TimeSpan elapsed)
    {
        var parts = new List<string>(2);
        if (progress.Total is { } total and > 0)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{progress.Done:N0} of {total:N0} ({100.0 * Math.Min(progress.Done, total) / total:0}%)"));
        if (!string.IsNullOrWhiteSpace(progress.Message)) parts.Add(progress.Message);
        var what = parts.Count == 0 ? "running" : string.Join(", ", parts);
        return $"{stage}: {what}; {Duration(elapsed)} so far";
    }

    /// <summary>A finished stage's line: only for a computed one. A cached stage is in the run's summary,
    /// and a failed, skipped or canceled one in the command's one <c>error:</c> line, which a script reads
    /// as the last line of standard error.</summary>
    public static string? Finished(StageReport report) =>
        report.Status == StageStatus.Computed ? $"{report.Name}: computed in {Duration(TimeSpan.FromSeconds(report.Seconds))}" : null;

    /// <summary><c>0.4 s</c>, <c>42.0 s</c>, <c>4m10s</c>, <c>2h05m</c>.</summary>
    public static string Duration(TimeSpan t) => t.TotalSeconds < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, t.TotalSeconds):0.0} s")
        : t.TotalHours < 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m{t.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:00}m");

}

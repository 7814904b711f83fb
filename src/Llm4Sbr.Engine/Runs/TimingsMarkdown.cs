using System.Globalization;
using System.Text;
using Llm4Sbr.Engine.Dataflow;

namespace Llm4Sbr.Engine.Runs;

/// <summary><c>timings.md</c> of a run folder: each stage's wall time in this run and what it measured
/// when its cache entry was computed (in this run, or in the earlier run it was cached from, on the
/// machine that ran it). Measurements live here and in the manifests, not in the stage outputs. Pure.</summary>
public static class TimingsMarkdown
{
    public static string Render(RunResult run)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Timings: {run.Pipeline}");
        md.AppendLine();
        md.AppendLine("Wall seconds in this run (a cached stage: the time to verify its cache entry), and when its entry was computed.");
        md.AppendLine();
        md.AppendLine("| stage | status | seconds | computed (UTC) |");
        md.AppendLine("|---|---|---:|---|");
        foreach (var s in run.Stages)
            md.AppendLine($"| {s.Name} | {s.Status.ToString().ToLowerInvariant()} | {s.Seconds.ToString("0.00", CultureInfo.InvariantCulture)} | {s.MeasuredUtc?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-"} |");
        foreach (var s in run.Stages.Where(s => s.Measurements.Count > 0))
        {
            md.AppendLine();
            md.AppendLine($"## {s.Name}");
            md.AppendLine();
            md.AppendLine($"Measured when the entry was computed{(s.Status == StageStatus.Cached ? " (an earlier run)" : "")}.");
            md.AppendLine();
            md.AppendLine("| measurement | value |");
            md.AppendLine("|---|---:|");
            foreach (var (name, value) in s.Measurements)
                md.AppendLine($"| {name} | {value.ToString("0.###", CultureInfo.InvariantCulture)} |");
        }
        return md.ToString();
    }
}

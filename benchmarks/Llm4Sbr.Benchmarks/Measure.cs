using System.Diagnostics;

namespace Llm4Sbr.Benchmarks;

/// <summary>Repeats a measurement and summarises it: the machine is shared, so the best run is the
/// closest to the code's own cost and the median shows the typical one.</summary>
internal static class Measure
{
    /// <summary>Wall-clock time and this process's CPU time (all threads) of one run. On a shared
    /// machine the CPU time shows the work done, the wall time what other processes left us.</summary>
    public static (TimeSpan Wall, TimeSpan Cpu) Time(Action action)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        action();
        var wall = watch.Elapsed;
        process.Refresh();
        return (wall, process.TotalProcessorTime - cpuBefore);
    }

    public static string Summary(IReadOnlyList<double> values, string unit, bool higherIsBetter)
    {
        var sorted = values.Order().ToArray();
        double best = higherIsBetter ? sorted[^1] : sorted[0];
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return $"best {best:F2} {unit}, median {median:F2} {unit} over {values.Count} runs";
    }
}

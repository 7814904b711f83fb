using System.Globalization;
using Llm4Sbr.Engine.Dataflow;

namespace Llm4Sbr.Cli.Rendering;

/// <summary>How a run shows its progress: bars on a terminal (<see cref="ProgressView"/>), timestamped
/// lines on standard error (<see cref="ProgressLines"/>), or nothing.</summary>
public enum ProgressStyle { Bars, Lines, None }

/// <summary>Progress as timestamped lines (<c>17:30:35 train: computed in 4m16s</c>), for a log file, a
/// scheduler or a terminal whose standard output is taken by <c>--json</c> or a redirect: the engine's
/// <see cref="ProgressHeartbeat"/> written to a <see cref="TextWriter"/>.</summary>
public static class ProgressLines
{
    /// <summary>The style for a command: <paramref name="asked"/> if the user chose one (<c>--progress</c>),
    /// else bars where standard output is a terminal that no JSON is written to, else lines.</summary>
    public static ProgressStyle Resolve(ProgressStyle? asked, bool outputIsTerminal, bool json) =>
        asked ?? (outputIsTerminal && !json ? ProgressStyle.Bars : ProgressStyle.Lines);

    /// <summary>Lines on <paramref name="writer"/>, each <paramref name="indent"/>, the local time
    /// (<paramref name="clock"/>'s) and the heartbeat's text.</summary>
    public static ProgressHeartbeat To(TextWriter writer, TimeProvider clock, string indent = "") =>
        new(text => writer.WriteLine($"{indent}{clock.GetLocalNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {text}"),
            clock, ProgressHeartbeat.DefaultEvery);
}

using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Inference.Llm;

/// <summary>Logs a message that repeats once per request (an attempt that failed, a prompt put back in the
/// queue, a prompt given up on) at most once per kind and <c>interval</c>: the first in full, later ones
/// with a count of those held back since the last one shown, and <see cref="Flush"/> the rest at the end of
/// a run. Every one still goes to the debug log (<c>-v</c>).
/// <para>Why: an endpoint that is down fails every request alike; a fault probe (MovieLens, 7,734 prompts,
/// an endpoint answering HTTP 500) wrote 108,286 warning lines before this, saying one thing.</para></summary>
internal sealed class WarningDigest(ILogger logger, TimeProvider time, TimeSpan interval)
{
    /// <summary>How often a repeating kind is shown: the progress heartbeat's period.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);

    private sealed class Kind(long shownAt, LogLevel level)
    {
        public readonly LogLevel Level = level;
        public long ShownAt = shownAt;
        public int HeldBack;
        public string Latest = "";
    }

    private readonly Dictionary<string, Kind> _kinds = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <param name="kind">What makes two messages the same (e.g. the endpoint and the failure's kind);
    /// <paramref name="message"/> is the full text of this one.</param>
    public void Log(LogLevel level, string kind, string message)
    {
        string? shown = null;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (!_kinds.TryGetValue(kind, out var k))
            {
                _kinds[kind] = new Kind(now, level);
                shown = message;
            }
            else if (time.GetElapsedTime(k.ShownAt, now) >= interval)
            {
                shown = k.HeldBack == 0 ? message : $"{message} ({Count(k.HeldBack)} held back since the last shown)";
                k.ShownAt = now;
                k.HeldBack = 0;
            }
            else
            {
                k.HeldBack++;
                k.Latest = message;
            }
        }
        if (shown is not null) logger.Log(level, "{Message}", shown);
        else logger.LogDebug("{Message}", message);
    }

    /// <summary>Shows, per kind, how many were held back since its last one shown, with the latest; the next
    /// run's first of each kind is shown in full again.</summary>
    public void Flush()
    {
        List<(LogLevel Level, string Message)> pending = [];
        lock (_gate)
        {
            foreach (var k in _kinds.Values.Where(k => k.HeldBack > 0))
                pending.Add((k.Level, $"{k.Latest} ({Count(k.HeldBack)} held back, this the last of them)"));
            _kinds.Clear();
        }
        foreach (var (level, message) in pending) logger.Log(level, "{Message}", message);
    }

    private static string Count(int n) => n == 1 ? "1 more like it" : $"{n:N0} more like it";
}

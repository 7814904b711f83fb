using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Llm4Sbr.Engine.Stages;

/// <summary>Where a running stage puts what it measured (wall seconds, counts): kept in its cache
/// entry's manifest and the run's manifests and <c>timings.md</c>, never in its output, so a cached
/// result does not carry the timings of the machine that made it as if they were results.
/// Thread-safe; a name recorded twice keeps the last value.</summary>
public sealed class StageMeasurements
{
    readonly ConcurrentDictionary<string, double> _values = new(StringComparer.Ordinal);

    public void Record(string name, double value) => _values[name] = value;

    public ImmutableSortedDictionary<string, double> Snapshot() => _values.ToImmutableSortedDictionary(StringComparer.Ordinal);
}

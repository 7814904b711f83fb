namespace Llm4Sbr.Tests.Shared;

/// <summary>A clock that moves only when told to: wall time from 2026-12-02 17:00:00 UTC, in UTC, and a
/// timestamp of 0 at that instant, in ticks (for tests of anything timed by a <see cref="TimeProvider"/>).</summary>
public sealed class ManualClock : TimeProvider
{
    static readonly DateTimeOffset Start = new(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);
    long _ticks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    public override DateTimeOffset GetUtcNow() => Start.AddTicks(Interlocked.Read(ref _ticks));
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}

namespace Llm4Sbr.Host.Refresh;

/// <summary>When the nightly refresh runs next. Pure.</summary>
public static class RefreshSchedule
{
    /// <summary>The first instant strictly after <paramref name="now"/> whose UTC time of day is
    /// <paramref name="timeOfDayUtc"/> (strictly: a refresh that ends within its own minute is not
    /// run twice).</summary>
    public static DateTimeOffset NextRunUtc(DateTimeOffset now, TimeSpan timeOfDayUtc)
    {
        var utc = now.ToUniversalTime();
        var today = new DateTimeOffset(utc.Date, TimeSpan.Zero) + timeOfDayUtc;
        return today > utc ? today : today.AddDays(1);
    }
}

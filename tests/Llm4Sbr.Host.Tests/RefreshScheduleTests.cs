using Llm4Sbr.Host.Refresh;

namespace Llm4Sbr.Host.Tests;

public class RefreshScheduleTests
{
    static readonly TimeSpan TwoAm = TimeSpan.FromHours(2);

    [Fact]
    public void Before_the_time_it_is_today_after_or_at_it_tomorrow()
    {
        var day = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(day + TwoAm, RefreshSchedule.NextRunUtc(day.AddHours(1), TwoAm));
        Assert.Equal(day.AddDays(1) + TwoAm, RefreshSchedule.NextRunUtc(day + TwoAm, TwoAm));
        Assert.Equal(day.AddDays(1) + TwoAm, RefreshSchedule.NextRunUtc(day.AddHours(23), TwoAm));
    }

    [Fact]
    public void The_time_of_day_is_utc_whatever_the_offset_of_now()
    {
        // 03:30 in UTC+2 is 01:30 UTC: the 02:00 UTC run is half an hour away.
        var now = new DateTimeOffset(2026, 11, 26, 3, 30, 0, TimeSpan.FromHours(2));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero), RefreshSchedule.NextRunUtc(now, TwoAm));
    }

    [Fact]
    public void The_next_run_is_within_a_day_and_at_the_time_of_day()
    {
        var random = new Random(7); // fixed: every run checks the same instants
        for (int i = 0; i < 500; i++)
        {
            var now = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(random.NextDouble() * 3e8);
            var time = TimeSpan.FromSeconds(random.Next(0, 86_400));
            var next = RefreshSchedule.NextRunUtc(now, time);
            Assert.True(next > now && next <= now.AddDays(1), $"{now:o} -> {next:o}");
            Assert.Equal(time, next.UtcDateTime.TimeOfDay);
        }
    }
}

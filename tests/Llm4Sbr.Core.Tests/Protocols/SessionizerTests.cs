using System.Collections.Immutable;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Core.Tests.Support;

namespace Llm4Sbr.Core.Tests.Protocols;

public class SessionizerTests
{
    private static readonly SessionizeOptions ByKey = new(SessionGrouping.Key, 0, MinItemSupport: 0, MinLength: 1);
    private static readonly SessionizeOptions TenMinutes = new(SessionGrouping.KeyAndTimeBucket, 600, MinItemSupport: 0, MinLength: 1);

    private static (long Key, long Bucket, string Items)[] Shape(IEnumerable<Session> sessions) =>
        [.. sessions.Select(s => (s.Key, s.Bucket, string.Join(",", s.Items)))];

    [Fact]
    public void Grouping_by_key_orders_sessions_by_key_and_items_by_timestamp_then_item()
    {
        Event[] events = [new(5, 30, 2), new(2, 7, 0), new(5, 10, 1), new(5, 20, 1), new(2, 8, 1)];

        var sessions = Sessionizer.Build(events, ByKey);

        Assert.Equal([(2L, 0L, "7,8"), (5L, 0L, "10,20,30")], Shape(sessions));
        Assert.Equal([0L, 1], sessions.Select(s => s.Id).ToArray());
    }

    [Fact]
    public void Time_buckets_split_a_users_ratings_at_ten_minute_boundaries()
    {
        const long b = 978300000; // a multiple of 600
        Event[] events = [new(1, 4, b + 700), new(1, 1, b + 10), new(1, 3, b + 50), new(1, 2, b + 50), new(2, 2, b + 5), new(1, 9, b - 1)];

        var sessions = Sessionizer.Build(events, TenMinutes);

        Assert.Equal(
            [(1L, b / 600 - 1, "9"), (1L, b / 600, "1,2,3"), (1L, b / 600 + 1, "4"), (2L, b / 600, "2")],
            Shape(sessions));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(599, 0)]
    [InlineData(600, 1)]
    [InlineData(-1, -1)]
    [InlineData(-600, -1)]
    [InlineData(-601, -2)]
    public void Buckets_are_a_true_floor_also_before_1970(long timestamp, long bucket)
    {
        Assert.Equal(bucket, Sessionizer.BucketOf(timestamp, TenMinutes));
        Assert.Equal(0, Sessionizer.BucketOf(timestamp, ByKey));
    }

    [Fact]
    public void Rare_items_and_short_sessions_are_dropped_and_kept_sessions_renumbered()
    {
        Event[] events =
        [
            new(1, 1, 0), new(1, 2, 1),
            new(2, 1, 0), new(2, 9, 1),
            new(3, 1, 0), new(3, 2, 1), new(3, 3, 2),
            new(4, 3, 0), new(4, 4, 1), new(4, 4, 2),
            new(5, 7, 0),
        ];

        var set = Sessionizer.Run(events, new SessionizeOptions(SessionGrouping.Key, 0, MinItemSupport: 2, MinLength: 2));

        Assert.Equal([1L, 3, 4], set.Sessions.Select(s => s.Key).ToArray());
        Assert.Equal([0L, 1, 2], set.Sessions.Select(s => s.Id).ToArray());
        Assert.Equal(new SessionsReport(InputEvents: 11, SessionsBuilt: 5, DroppedShort: 1, DroppedRareItem: 1, SessionsKept: 3, Clicks: 8, Items: 4),
            set.Report);
    }

    [Fact]
    public void Item_support_is_counted_once_so_a_second_run_can_drop_more()
    {
        // Items 1 and 2 occur 3 times each, item 9 once. With min support 3 the session holding 9 goes,
        // leaving 1 and 2 with 2 occurrences; counts are not refreshed, so sessions 1 and 3 stay.
        Event[] events = [new(1, 1, 0), new(1, 2, 1), new(2, 1, 0), new(2, 9, 1), new(2, 2, 2), new(3, 1, 0), new(3, 2, 1)];
        var options = new SessionizeOptions(SessionGrouping.Key, 0, MinItemSupport: 3, MinLength: 2);

        var once = Sessionizer.Run(events, options);

        Assert.Equal([1L, 3], once.Sessions.Select(s => s.Key).ToArray());
        Assert.Equal(1, once.Report.DroppedRareItem);

        var keptEvents = once.Sessions.SelectMany(s => s.Items.Select((item, i) => new Event(s.Key, item, i))).ToArray();
        var twice = Sessionizer.Run(keptEvents, options);
        Assert.Empty(twice.Sessions);
    }

    [Fact]
    public void Filter_counts_an_item_missing_from_the_counts_as_zero()
    {
        var sessions = ImmutableArray.Create(new Session(0, 1, 0, [1, 2]), new Session(1, 2, 0, [1, 1]));
        var counts = new Dictionary<int, int> { [1] = 5 };

        var result = Sessionizer.Filter(sessions, counts, new SessionizeOptions(SessionGrouping.Key, 0, MinItemSupport: 1, MinLength: 1));

        Assert.Equal([new Session(0, 2, 0, [1, 1])], result.Kept.ToArray(), SessionComparer.Instance);
        Assert.Equal(1, result.DroppedRareItem);
    }

    [Fact]
    public void A_session_both_short_and_rare_counts_as_short()
    {
        var result = Sessionizer.Run([new Event(1, 9, 0)], new SessionizeOptions(SessionGrouping.Key, 0, MinItemSupport: 5, MinLength: 2));

        Assert.Empty(result.Sessions);
        Assert.Equal(1, result.Report.DroppedShort);
        Assert.Equal(0, result.Report.DroppedRareItem);
    }

    [Fact]
    public void No_events_give_no_sessions()
    {
        var set = Sessionizer.Run([], CanonicalProtocols.MovieLens.Sessionize);

        Assert.Empty(set.Sessions);
        Assert.Equal(new SessionsReport(0, 0, 0, 0, 0, 0, 0), set.Report);
    }

    [Theory]
    [InlineData(SessionGrouping.KeyAndTimeBucket, 0, 0, 1, "bucket_seconds")]
    [InlineData(SessionGrouping.Key, 0, -1, 1, "min_item_support")]
    [InlineData(SessionGrouping.Key, 0, 0, 0, "min_length")]
    [InlineData((SessionGrouping)9, 0, 0, 1, "key | key-and-time-bucket")]
    public void Invalid_options_are_errors_naming_the_option_and_run_refuses_them(
        SessionGrouping grouping, long bucketSeconds, int minSupport, int minLength, string named)
    {
        var options = new SessionizeOptions(grouping, bucketSeconds, minSupport, minLength);

        var error = FinAssert.Fail(Sessionizer.Validate(options));

        Assert.Equal(ErrorCodes.InvalidOption, error.Code);
        Assert.Contains(named, error.Message);
        var thrown = Assert.Throws<ArgumentException>(() => Sessionizer.Run([new Event(1, 1, 0)], options));
        Assert.Contains(named, thrown.Message);
    }
}

/// <summary>Sessions compared by value, items included (records compare ImmutableArray by reference).</summary>
public sealed class SessionComparer : IEqualityComparer<Session>
{
    public static readonly SessionComparer Instance = new();

    public bool Equals(Session? x, Session? y) =>
        x is not null && y is not null && x.Id == y.Id && x.Key == y.Key && x.Bucket == y.Bucket && x.Items.SequenceEqual(y.Items);

    public int GetHashCode(Session s) => HashCode.Combine(s.Id, s.Key, s.Bucket, s.Items.Length);
}

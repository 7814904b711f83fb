using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Protocols;

/// <summary>Which sessions <see cref="Sessionizer.Filter"/> kept, and how many it dropped per
/// cause (a session that is both too short and holds a rare item counts as short).</summary>
public sealed record SessionFilterResult(ImmutableArray<Session> Kept, int DroppedShort, int DroppedRareItem);

/// <summary>
/// The <c>sessions</c> stage: events to sessions, in three pure steps that <see cref="Run"/>
/// composes: <see cref="Build"/> groups, <see cref="CountItems"/> counts each item's occurrences
/// over all built sessions once, <see cref="Filter"/> drops every session that holds an item seen
/// fewer than <see cref="SessionizeOptions.MinItemSupport"/> times or has fewer than
/// <see cref="SessionizeOptions.MinLength"/> items, in a single pass against those counts (the
/// paper's preprocessing; counts are not refreshed after dropping, so running the stage again on
/// its own output can drop more, while <see cref="Filter"/> with fixed counts is idempotent).
/// </summary>
public static class Sessionizer
{
    public const string Version = "1";

    /// <summary>Checks the options; the error names the option and what is valid.</summary>
    public static Fin<SessionizeOptions> Validate(SessionizeOptions options)
    {
        if (!Enum.IsDefined(options.Grouping))
            return FinFail<SessionizeOptions>(DataErrors.InvalidOption("grouping", options.Grouping, "one of " + string.Join(" | ", OptionNames.All<SessionGrouping>())));
        if (options.Grouping == SessionGrouping.KeyAndTimeBucket && options.BucketSeconds <= 0)
            return FinFail<SessionizeOptions>(DataErrors.InvalidOption("bucket_seconds", options.BucketSeconds, "a whole number of seconds > 0 when grouping is key-and-time-bucket"));
        if (options.MinItemSupport < 0)
            return FinFail<SessionizeOptions>(DataErrors.InvalidOption("min_item_support", options.MinItemSupport, "a whole number >= 0 (0 or 1 keeps every item)"));
        if (options.MinLength < 1)
            return FinFail<SessionizeOptions>(DataErrors.InvalidOption("min_length", options.MinLength, "a whole number >= 1"));
        return FinSucc(options);
    }

    /// <summary>Builds, counts and filters. Kept sessions are in canonical order (key, then bucket)
    /// with <see cref="Session.Id"/> = 0..n-1. Throws <see cref="ArgumentException"/> on options
    /// that <see cref="Validate"/> rejects (callers validate configuration first).</summary>
    public static SessionSet Run(IReadOnlyList<Event> events, SessionizeOptions options)
    {
        ThrowIfInvalid(options);
        var built = Build(events, options);
        var counts = CountItems(built);
        var filtered = Filter(built, counts, options);

        long clicks = 0;
        var items = new System.Collections.Generic.HashSet<int>(counts.Count);
        foreach (var session in filtered.Kept)
        {
            clicks += session.Items.Length;
            foreach (var item in session.Items) items.Add(item);
        }
        var report = new SessionsReport(
            InputEvents: events.Count,
            SessionsBuilt: built.Length,
            DroppedShort: filtered.DroppedShort,
            DroppedRareItem: filtered.DroppedRareItem,
            SessionsKept: filtered.Kept.Length,
            Clicks: clicks,
            Items: items.Count);
        return new SessionSet(filtered.Kept, report);
    }

    /// <summary>Groups events into sessions by key (and by <see cref="BucketOf"/> when bucketing),
    /// items ordered by (timestamp, item id), sessions ordered by (key, bucket), ids 0..n-1 in that
    /// order. Every event lands in exactly one session. Input already in that order (Amazon
    /// sessions.txt) is detected and not sorted again.</summary>
    public static ImmutableArray<Session> Build(IReadOnlyList<Event> events, SessionizeOptions options)
    {
        ThrowIfInvalid(options);
        var keyed = new KeyedEvent[events.Count];
        var inOrder = true;
        var source = AsSpan(events);
        for (var i = 0; i < keyed.Length; i++)
        {
            var e = source.IsEmpty ? events[i] : source[i];
            keyed[i] = new KeyedEvent(e.SessionKey, BucketOf(e.Timestamp, options), e.Timestamp, e.ItemId);
            if (inOrder && i > 0 && keyed[i].CompareTo(keyed[i - 1]) < 0) inOrder = false;
        }
        if (!inOrder) System.Array.Sort(keyed);

        var sessions = new List<Session>();
        var start = 0;
        for (var i = 1; i <= keyed.Length; i++)
        {
            if (i < keyed.Length && keyed[i].Key == keyed[start].Key && keyed[i].Bucket == keyed[start].Bucket) continue;
            var items = new int[i - start];
            for (var j = 0; j < items.Length; j++) items[j] = keyed[start + j].Item;
            sessions.Add(new Session(sessions.Count, keyed[start].Key, keyed[start].Bucket, ImmutableCollectionsMarshal.AsImmutableArray(items)));
            start = i;
        }
        return [.. sessions];
    }

    /// <summary>How often each item occurs over <paramref name="sessions"/> (repeats within a session count).</summary>
    public static FrozenDictionary<int, int> CountItems(IReadOnlyList<Session> sessions)
    {
        var counts = new Dictionary<int, int>();
        foreach (var session in sessions)
        {
            foreach (var item in session.Items)
                CollectionsMarshal.GetValueRefOrAddDefault(counts, item, out _)++;
        }
        return counts.ToFrozenDictionary();
    }

    /// <summary>Keeps the sessions with at least <see cref="SessionizeOptions.MinLength"/> items,
    /// all seen at least <see cref="SessionizeOptions.MinItemSupport"/> times according to
    /// <paramref name="itemCounts"/> (an item missing from it counts 0), and renumbers them
    /// 0..n-1 in their input order. With the same counts, filtering the output again changes nothing.</summary>
    public static SessionFilterResult Filter(IReadOnlyList<Session> sessions, IReadOnlyDictionary<int, int> itemCounts, SessionizeOptions options)
    {
        ThrowIfInvalid(options);
        var kept = new List<Session>(sessions.Count);
        int droppedShort = 0, droppedRare = 0;
        foreach (var session in sessions)
        {
            if (session.Items.Length < options.MinLength)
            {
                droppedShort++;
                continue;
            }
            if (options.MinItemSupport > 0 && HasRareItem(session, itemCounts, options.MinItemSupport))
            {
                droppedRare++;
                continue;
            }
            kept.Add(session.Id == kept.Count ? session : session with { Id = kept.Count });
        }
        return new SessionFilterResult([.. kept], droppedShort, droppedRare);
    }

    /// <summary>The time bucket of a timestamp: floor(timestamp / bucket_seconds) (a true floor, also
    /// for negative timestamps), or 0 when the protocol groups by key only.</summary>
    public static long BucketOf(long timestamp, SessionizeOptions options)
    {
        if (options.Grouping == SessionGrouping.Key) return 0;
        var quotient = Math.DivRem(timestamp, options.BucketSeconds, out var remainder);
        return remainder < 0 ? quotient - 1 : quotient;
    }

    private static bool HasRareItem(Session session, IReadOnlyDictionary<int, int> itemCounts, int minSupport)
    {
        foreach (var item in session.Items)
        {
            if (itemCounts.GetValueOrDefault(item) < minSupport) return true;
        }
        return false;
    }

    private static ReadOnlySpan<Event> AsSpan(IReadOnlyList<Event> events) => events switch
    {
        ImmutableArray<Event> array => array.AsSpan(),
        Event[] array => array,
        List<Event> list => CollectionsMarshal.AsSpan(list),
        _ => [],
    };

    private static void ThrowIfInvalid(SessionizeOptions options) => Validate(options).ThrowIfInvalidOption(nameof(options));

    /// <summary>An event with its sort key: (session key, bucket, timestamp, item).</summary>
    private readonly record struct KeyedEvent(long Key, long Bucket, long Timestamp, int Item) : IComparable<KeyedEvent>
    {
        public int CompareTo(KeyedEvent other)
        {
            var c = Key.CompareTo(other.Key);
            if (c != 0) return c;
            c = Bucket.CompareTo(other.Bucket);
            if (c != 0) return c;
            c = Timestamp.CompareTo(other.Timestamp);
            return c != 0 ? c : Item.CompareTo(other.Item);
        }
    }
}

using System.Collections.Immutable;

namespace Llm4Sbr.Core.Data;

/// <summary>A catalogue item. <see cref="HasTitle"/> is false when the source had no title and
/// <see cref="Title"/> holds the placeholder <c>item &lt;id&gt;</c>.</summary>
public sealed record Item(int Id, string Title, bool HasTitle)
{
    public static string PlaceholderTitle(int id) => $"item {id}";
}

/// <summary>One interaction as read from a source file. <see cref="SessionKey"/> is the source's
/// session or user id; <see cref="Timestamp"/> is Unix seconds, or the position in the line for
/// formats without time (Amazon sessions.txt), so ordering by (timestamp, item) keeps file order.</summary>
public readonly record struct Event(long SessionKey, int ItemId, long Timestamp);

/// <summary>A session after sessionization: <see cref="Id"/> is its ordinal in canonical order,
/// <see cref="Key"/> the source key (user or session id) and <see cref="Bucket"/> the time bucket
/// (0 when the protocol does not bucket).</summary>
public sealed record Session(long Id, long Key, long Bucket, ImmutableArray<int> Items);

public enum SplitPart { Train = 0, Test = 1 }

/// <summary>A next-item example: the clicks in <see cref="Prefix"/> predict <see cref="Target"/>.
/// <see cref="Id"/> is unique across train and test and is the join key for later stages.</summary>
public sealed record Sample(long Id, long SessionId, SplitPart Part, ImmutableArray<int> Prefix, int Target);

/// <summary>The figures a prepared dataset is checked against (the "expected figures").</summary>
public sealed record DatasetSummary(
    string Dataset, int TrainSessions, int TestSessions, int TrainSamples, int TestSamples, int Items, long Clicks);

using System.Collections.Immutable;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Core.Protocols;

public enum SessionGrouping
{
    /// <summary>One session per source key (Amazon: the user is the session).</summary>
    Key,
    /// <summary>One session per (key, floor(timestamp / bucket_seconds)) (MovieLens protocol).</summary>
    KeyAndTimeBucket,
}

/// <summary>Parameters of the <c>sessions</c> stage. Item support is counted once over all
/// sessions before filtering; a session is dropped if it holds an item seen fewer than
/// <see cref="MinItemSupport"/> times or has fewer than <see cref="MinLength"/> items.</summary>
public sealed record SessionizeOptions(SessionGrouping Grouping, long BucketSeconds, int MinItemSupport, int MinLength);

public sealed record SessionsReport(
    long InputEvents, int SessionsBuilt, int DroppedShort, int DroppedRareItem, int SessionsKept, long Clicks, int Items);

/// <summary>The <c>sessions</c> stage's output: kept sessions in canonical order (by key, then bucket),
/// <see cref="Session.Id"/> = ordinal 0..n-1 in that order.</summary>
public sealed record SessionSet(ImmutableArray<Session> Sessions, SessionsReport Report);

/// <summary>Parameters of the <c>split</c> stage: the first floor(fraction * n) sessions train.</summary>
public sealed record SplitOptions(double TrainFraction);

/// <summary>The <c>split</c> stage's output.</summary>
public sealed record SplitSet(ImmutableArray<Session> Train, ImmutableArray<Session> Test);

public enum SamplingMode
{
    /// <summary>Every prefix: [v1..vi] -> v(i+1) for i = 1..len-1.</summary>
    AllPrefixes,
    /// <summary>One sample per session: all but the last item -> the last item.</summary>
    LastItem,
}

public sealed record SamplingOptions(SamplingMode Mode);

/// <summary>The <c>samples</c> stage's output. Sample ids run 0.. over train then test.</summary>
public sealed record SampleSet(ImmutableArray<Sample> Train, ImmutableArray<Sample> Test);

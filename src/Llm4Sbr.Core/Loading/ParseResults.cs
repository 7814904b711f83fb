using System.Collections.Immutable;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Core.Loading;

/// <summary>What parsing one file saw: physical lines read (header included), lines skipped,
/// the first few rejected lines verbatim and the count of skipped lines per reason
/// (keys from <see cref="Errors.SkipReasons"/>).</summary>
public sealed record ParseTally(
    string File,
    long LinesRead,
    long LinesSkipped,
    ImmutableArray<LineIssue> Issues,
    ImmutableSortedDictionary<string, long> SkippedByReason);

/// <summary>The interactions of one file, in file order.</summary>
public sealed record ParsedEvents(ImmutableArray<Event> Events, ParseTally Tally);

/// <summary>The items of one catalogue file, in file order. Items whose title was empty carry
/// <see cref="Item.PlaceholderTitle"/> and <c>HasTitle = false</c>; <see cref="ItemsWithoutTitle"/>
/// counts them.</summary>
public sealed record ParsedItems(ImmutableArray<Item> Items, int ItemsWithoutTitle, ParseTally Tally);

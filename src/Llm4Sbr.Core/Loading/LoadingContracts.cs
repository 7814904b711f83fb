using System.Collections.Immutable;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Core.Loading;

/// <summary>Source formats the <c>load</c> stage reads.</summary>
public enum DatasetFormat
{
    /// <summary>Amazon Beauty as the paper's code has it: <c>sessions.txt</c> (<c>session_id item...</c>) + <c>items.csv</c> (<c>item_id,asin,title</c>).</summary>
    AmazonSessions,
    /// <summary>MovieLens latest/small: <c>ratings.csv</c> + <c>movies.csv</c> (UTF-8, RFC 4180).</summary>
    MovieLensCsv,
    /// <summary>MovieLens-1M: <c>ratings.dat</c> (<c>UserID::MovieID::Rating::Timestamp</c>) + <c>movies.dat</c> (ISO-8859-1).</summary>
    MovieLensDat,
    /// <summary>Interactions CSV (<c>session_id,item_id,timestamp</c>) + items CSV (<c>item_id,title</c>).</summary>
    Generic,
}

public sealed record SourceFiles(DatasetFormat Format, string InteractionsPath, string ItemsPath);

public sealed record LoadOptions(bool SkipBadLines = false, int MaxReportedIssues = 20);

/// <summary>One rejected input line: which file, which 1-based line, which field, and why.</summary>
public sealed record LineIssue(string File, long Line, string Field, string Message)
{
    public override string ToString() => $"{File}:{Line}: field '{Field}': {Message}";
}

/// <summary>What loading saw. <see cref="Issues"/> holds the first few skipped lines verbatim;
/// <see cref="SkippedByReason"/> counts all of them by reason.</summary>
public sealed record LoadReport(
    long LinesRead,
    long LinesSkipped,
    ImmutableArray<LineIssue> Issues,
    ImmutableSortedDictionary<string, long> SkippedByReason,
    int ItemsWithoutTitle,
    long EventsWithUnknownItem,
    int UnknownItemIds);

/// <summary>The <c>load</c> stage's output: the catalogue and every interaction, in file order.</summary>
public sealed record LoadedData(ImmutableArray<Item> Items, ImmutableArray<Event> Events, LoadReport Report);

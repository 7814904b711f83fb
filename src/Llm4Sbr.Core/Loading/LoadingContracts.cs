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

/// <summary>How the <c>load</c> stage treats bad input.</summary>
/// <param name="SkipBadLines">False: the first rejected line fails the load with a
/// <see cref="Errors.LineError"/> naming file, line and field. True: rejected lines are skipped and
/// counted in <see cref="LoadReport"/>. A missing file, a missing header or a missing column fail
/// the load either way; blank lines never do (they are only counted).</param>
/// <param name="MaxReportedIssues">How many skipped lines <see cref="LoadReport.Issues"/> keeps
/// verbatim (the counts cover all of them); must be >= 0.</param>
public sealed record LoadOptions(bool SkipBadLines = false, int MaxReportedIssues = 20);

/// <summary>One rejected input line: which file, which 1-based line, which field, and why.</summary>
public sealed record LineIssue(string File, long Line, string Field, string Message)
{
    public override string ToString() => $"{File}:{Line}: field '{Field}': {Message}";
}

/// <summary>What loading saw. <see cref="Issues"/> holds the first few skipped lines verbatim;
/// <see cref="SkippedByReason"/> counts all of them by reason.</summary>
/// <param name="LinesRead">Physical lines read from both files, headers included.</param>
/// <param name="LinesSkipped">Lines that gave no record: rejected lines plus blank lines.</param>
/// <param name="Issues">The first <see cref="LoadOptions.MaxReportedIssues"/> rejected lines, items
/// file first (blank lines are counted but not listed).</param>
/// <param name="SkippedByReason">Skipped lines per reason, keys from <see cref="Errors.SkipReasons"/>.</param>
/// <param name="ItemsWithoutTitle">Items the items file lists with an empty title; they carry the
/// placeholder <see cref="Item.PlaceholderTitle"/> and <c>HasTitle = false</c>.</param>
/// <param name="EventsWithUnknownItem">Events naming an item the items file does not list. They
/// are kept; see <see cref="CatalogueAssembly.Assemble"/>.</param>
/// <param name="UnknownItemIds">Distinct such items; each joins the catalogue with a placeholder
/// title and <c>HasTitle = false</c>.</param>
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

using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Data.Codecs;

/// <summary>Parquet layout of the <c>load</c> stage's <see cref="LoadedData"/> (five files; the
/// report's scalars are one row, its issues and skip reasons are tables).</summary>
public sealed class LoadedDataCodec : StageCodec<LoadedData>
{
    public static LoadedDataCodec Instance { get; } = new();

    static readonly ParquetTable<Item> ItemsTable = new("items.parquet",
        "The catalogue, in source order.",
        Col.Int32<Item>("item_id", "Item id as in the source.", i => i.Id),
        Col.String<Item>("title", "Title; when the source had none, 'item ' followed by the id.", i => i.Title),
        Col.Bool<Item>("has_title", "False when the title is the placeholder.", i => i.HasTitle));

    static readonly ParquetTable<Event> EventsTable = new("events.parquet",
        "Every interaction read, in file order.",
        Col.Int64<Event>("session_key", "The source's session or user id.", e => e.SessionKey),
        Col.Int32<Event>("item_id", "Item id.", e => e.ItemId),
        Col.Int64<Event>("timestamp", "Unix seconds, or the position in the line for formats without time.", e => e.Timestamp));

    static readonly ParquetTable<LoadReport> ReportTable = new("load_report.parquet",
        "One row: what loading saw.",
        Col.Int64<LoadReport>("lines_read", "Data lines read from both files.", r => r.LinesRead),
        Col.Int64<LoadReport>("lines_skipped", "Bad lines skipped (skip_bad_lines: true).", r => r.LinesSkipped),
        Col.Int32<LoadReport>("items_without_title", "Items given the placeholder title.", r => r.ItemsWithoutTitle),
        Col.Int64<LoadReport>("events_with_unknown_item", "Interactions naming an item missing from the items file.", r => r.EventsWithUnknownItem),
        Col.Int32<LoadReport>("unknown_item_ids", "Distinct item ids missing from the items file.", r => r.UnknownItemIds));

    static readonly ParquetTable<LineIssue> IssuesTable = new("load_issues.parquet",
        "The first skipped lines, verbatim (at most max_reported_issues).",
        Col.String<LineIssue>("file", "Source file.", i => i.File),
        Col.Int64<LineIssue>("line", "1-based line number.", i => i.Line),
        Col.String<LineIssue>("field", "The field at fault.", i => i.Field),
        Col.String<LineIssue>("message", "Why the line was rejected.", i => i.Message));

    static readonly ParquetTable<KeyValuePair<string, long>> SkippedTable = new("load_skipped.parquet",
        "Skipped lines counted by reason (all of them).",
        Col.String<KeyValuePair<string, long>>("reason", "Why lines were skipped.", p => p.Key),
        Col.Int64<KeyValuePair<string, long>>("lines", "How many lines.", p => p.Value));

    public override string Id => "loaded-data/1";

    public override ImmutableArray<TableDoc> Tables =>
        [ItemsTable.Doc, EventsTable.Doc, ReportTable.Doc, IssuesTable.Doc, SkippedTable.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(LoadedData value, string directory, CancellationToken ct)
    {
        await ItemsTable.WriteAsync(directory, value.Items, ct).ConfigureAwait(false);
        await EventsTable.WriteAsync(directory, value.Events, ct).ConfigureAwait(false);
        await ReportTable.WriteAsync(directory, [value.Report], ct).ConfigureAwait(false);
        await IssuesTable.WriteAsync(directory, value.Report.Issues.IsDefault ? [] : value.Report.Issues, ct).ConfigureAwait(false);
        await SkippedTable.WriteAsync(directory, [.. value.Report.SkippedByReason], ct).ConfigureAwait(false);
        return [ItemsTable.File, EventsTable.File, ReportTable.File, IssuesTable.File, SkippedTable.File];
    }

    public override async Task<Fin<LoadedData>> ReadAsync(string directory, CancellationToken ct)
    {
        var items = await ItemsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var events = await EventsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var report = await ReportTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var issues = await IssuesTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var skipped = await SkippedTable.ReadAsync(directory, ct).ConfigureAwait(false);
        return
            from i in items
            from e in events
            from r in report
            from s in issues
            from k in skipped
            from row in r.RowCount == 1 ? FinSucc(0) : FinFail<int>(EngineErrors.ParquetSchema(r.Path, $"expected one row, found {r.RowCount}"))
            select new LoadedData(ToItems(i), ToEvents(e), ToReport(r, s, k));
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(LoadedData value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("items", (long)value.Items.Length),
            KeyValuePair.Create("events", (long)value.Events.Length),
            KeyValuePair.Create("skipped_lines", value.Report.LinesSkipped),
        ]);

    static ImmutableArray<Item> ToItems(TableData t)
    {
        var (ids, titles, has) = (t.Int32("item_id"), t.String("title"), t.Bool("has_title"));
        var items = ImmutableArray.CreateBuilder<Item>(t.RowCount);
        for (var i = 0; i < t.RowCount; i++) items.Add(new Item(ids[i], titles[i], has[i]));
        return items.MoveToImmutable();
    }

    static ImmutableArray<Event> ToEvents(TableData t)
    {
        var (keys, items, times) = (t.Int64("session_key"), t.Int32("item_id"), t.Int64("timestamp"));
        var events = ImmutableArray.CreateBuilder<Event>(t.RowCount);
        for (var i = 0; i < t.RowCount; i++) events.Add(new Event(keys[i], items[i], times[i]));
        return events.MoveToImmutable();
    }

    static LoadReport ToReport(TableData r, TableData issues, TableData skipped)
    {
        var (files, lines, fields, messages) = (issues.String("file"), issues.Int64("line"), issues.String("field"), issues.String("message"));
        var issueList = Enumerable.Range(0, issues.RowCount)
            .Select(i => new LineIssue(files[i], lines[i], fields[i], messages[i]))
            .ToImmutableArray();
        var reasons = skipped.String("reason");
        var counts = skipped.Int64("lines");
        var byReason = Enumerable.Range(0, skipped.RowCount).ToImmutableSortedDictionary(i => reasons[i], i => counts[i]);
        return new LoadReport(r.Int64("lines_read")[0], r.Int64("lines_skipped")[0], issueList, byReason,
            r.Int32("items_without_title")[0], r.Int64("events_with_unknown_item")[0], r.Int32("unknown_item_ids")[0]);
    }
}

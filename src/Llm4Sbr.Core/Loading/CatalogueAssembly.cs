using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Core.Loading;

/// <summary>Joins a parsed catalogue and parsed interactions into the <c>load</c> stage's output.</summary>
public static class CatalogueAssembly
{
    /// <summary>
    /// Builds <see cref="LoadedData"/>. Items come out sorted by id; events keep file order.
    /// <para>Events naming an item that the items file does not list are KEPT: the item joins the
    /// catalogue with the placeholder title <see cref="Item.PlaceholderTitle"/> and
    /// <c>HasTitle = false</c>, and the report counts those events
    /// (<see cref="LoadReport.EventsWithUnknownItem"/>) and distinct ids
    /// (<see cref="LoadReport.UnknownItemIds"/>). Dropping them would change the sessions and so the
    /// protocol's figures; keeping them lets later stages decide (localization simply has no real
    /// title for them).</para>
    /// <para><see cref="LoadReport.ItemsWithoutTitle"/> counts only items the items file lists with
    /// an empty title (they get the same placeholder). The report's issues are the items file's
    /// first, then the interactions file's, capped at <see cref="LoadOptions.MaxReportedIssues"/>.</para>
    /// </summary>
    public static LoadedData Assemble(ParsedItems items, ParsedEvents events, LoadOptions options)
    {
        var known = new HashSet<int>(items.Items.Length);
        foreach (var item in items.Items) known.Add(item.Id);

        long eventsWithUnknownItem = 0;
        var unknown = new HashSet<int>();
        foreach (var e in events.Events.AsSpan())
        {
            if (known.Contains(e.ItemId)) continue;
            eventsWithUnknownItem++;
            unknown.Add(e.ItemId);
        }

        var catalogue = new Item[items.Items.Length + unknown.Count];
        items.Items.CopyTo(catalogue);
        var next = items.Items.Length;
        foreach (var id in unknown) catalogue[next++] = new Item(id, Item.PlaceholderTitle(id), HasTitle: false);
        Array.Sort(catalogue, static (a, b) => a.Id.CompareTo(b.Id));

        var report = new LoadReport(
            LinesRead: items.Tally.LinesRead + events.Tally.LinesRead,
            LinesSkipped: items.Tally.LinesSkipped + events.Tally.LinesSkipped,
            Issues: [.. items.Tally.Issues.Concat(events.Tally.Issues).Take(Math.Max(0, options.MaxReportedIssues))],
            SkippedByReason: MergeCounts(items.Tally.SkippedByReason, events.Tally.SkippedByReason),
            ItemsWithoutTitle: items.ItemsWithoutTitle,
            EventsWithUnknownItem: eventsWithUnknownItem,
            UnknownItemIds: unknown.Count);
        return new LoadedData(ImmutableCollectionsMarshal.AsImmutableArray(catalogue), events.Events, report);
    }

    private static ImmutableSortedDictionary<string, long> MergeCounts(
        ImmutableSortedDictionary<string, long> first, ImmutableSortedDictionary<string, long> second)
    {
        var merged = first.ToBuilder();
        foreach (var (reason, count) in second) merged[reason] = merged.GetValueOrDefault(reason) + count;
        return merged.ToImmutable();
    }
}

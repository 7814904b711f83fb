using System.Globalization;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Engine.Dataflow;
using Spectre.Console;

namespace Llm4Sbr.Cli.Rendering;

/// <summary>Human-readable output (tables). Machine-readable output is in <see cref="Json"/>.</summary>
public static class Render
{
    public static void Run(IAnsiConsole console, RunResult run)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("stage").AddColumn("status").AddColumn(new TableColumn("seconds").RightAligned())
            .AddColumn("rows").AddColumn("key");
        foreach (var s in run.Stages)
            table.AddRow(
                Markup.Escape(s.Name),
                Status(s.Status),
                s.Seconds.ToString("F2", CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(", ", s.Rows.Select(r => $"{r.Key} {r.Value:N0}"))),
                s.Key?.Short ?? "-");
        console.Write(table);
        var cached = run.Stages.Count(s => s.Status == StageStatus.Cached);
        console.MarkupLine(run.Succeeded
            ? cached == run.Stages.Length
                ? $"[green]all {cached} stages cached[/]"
                : $"[green]{run.Stages.Length - cached} computed, {cached} cached[/]"
            : $"[red]{Markup.Escape(run.FirstError?.Message ?? "the run failed")}[/]");
    }

    public static void Figures(IAnsiConsole console, DatasetSummary summary, LoadReport load)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("dataset").AddColumn(new TableColumn(Markup.Escape(summary.Dataset)).RightAligned());
        void Row(string name, long value) => table.AddRow(name, value.ToString("N0", CultureInfo.InvariantCulture));
        Row("train sessions", summary.TrainSessions);
        Row("test sessions", summary.TestSessions);
        Row("train samples", summary.TrainSamples);
        Row("test samples", summary.TestSamples);
        Row("items", summary.Items);
        Row("clicks", summary.Clicks);
        Row("lines read", load.LinesRead);
        Row("lines skipped", load.LinesSkipped);
        Row("items without title", load.ItemsWithoutTitle);
        Row("events with unknown item", load.EventsWithUnknownItem);
        console.Write(table);
        foreach (var (reason, count) in load.SkippedByReason)
            console.MarkupLine($"[yellow]skipped {count:N0} lines: {Markup.Escape(reason)}[/]");
    }

    public static void Status(IAnsiConsole console, string pipeline, IEnumerable<StageState> states)
    {
        var table = new Table().Border(TableBorder.Simple).Title(Markup.Escape(pipeline))
            .AddColumn("stage").AddColumn("state").AddColumn("key").AddColumn("detail");
        foreach (var s in states)
            table.AddRow(Markup.Escape(s.Name), State(s.State), s.Key?.Short ?? "pending", Markup.Escape(s.Detail));
        console.Write(table);
    }

    static string Status(StageStatus status) => status switch
    {
        StageStatus.Cached => "[grey]cached[/]",
        StageStatus.Computed => "[green]computed[/]",
        StageStatus.Failed => "[red]failed[/]",
        StageStatus.Skipped => "[yellow]skipped[/]",
        _ => "[yellow]canceled[/]",
    };

    static string State(CacheState state) => state switch
    {
        CacheState.Cached => "[green]cached[/]",
        CacheState.Stale => "[yellow]stale[/]",
        CacheState.Pending => "[grey]pending[/]",
        _ => "[grey]missing[/]",
    };
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Engine.Dataflow;

namespace Llm4Sbr.Cli.Rendering;

/// <summary>The CLI's JSON documents (one object per command, on standard output).</summary>
public static class Json
{
    static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static string Print(JsonNode node) => node.ToJsonString(Options);

    /// <summary><c>prepare --json</c>: the dataset's figures, the load report's counts, and
    /// whether every stage came from the cache.</summary>
    public static JsonObject Prepare(DatasetSummary s, LoadReport load, RunResult run, double seconds) => new()
    {
        ["dataset"] = s.Dataset,
        ["train_sessions"] = s.TrainSessions,
        ["test_sessions"] = s.TestSessions,
        ["train_samples"] = s.TrainSamples,
        ["test_samples"] = s.TestSamples,
        ["items"] = s.Items,
        ["clicks"] = s.Clicks,
        ["lines_read"] = load.LinesRead,
        ["lines_skipped"] = load.LinesSkipped,
        ["skipped_by_reason"] = new JsonObject(load.SkippedByReason.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["items_without_title"] = load.ItemsWithoutTitle,
        ["events_with_unknown_item"] = load.EventsWithUnknownItem,
        ["unknown_item_ids"] = load.UnknownItemIds,
        ["cached"] = run.Stages.All(st => st.Status == StageStatus.Cached),
        ["seconds"] = Math.Round(seconds, 3),
    };

    public static JsonObject Status(string pipeline, IEnumerable<StageState> states) => new()
    {
        ["pipeline"] = pipeline,
        ["stages"] = new JsonArray(states.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Name,
            ["state"] = s.State.ToString().ToLowerInvariant(),
            ["key"] = s.Key?.Hex,
            ["detail"] = s.Detail,
        }).ToArray()),
    };
}

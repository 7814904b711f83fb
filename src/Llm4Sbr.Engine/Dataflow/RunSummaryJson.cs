using System.Text.Json.Nodes;

namespace Llm4Sbr.Engine.Dataflow;

/// <summary>The machine-readable summary of a run (<c>run --json</c> and <c>run.json</c>):
/// <c>{pipeline, succeeded, error, stages: [{name, status, cached, seconds, key (null when never known), rows, error, measured_utc, measurements}], metrics}</c>.</summary>
public static class RunSummaryJson
{
    public static JsonObject Build(RunResult run, JsonNode? metrics = null) => new()
    {
        ["pipeline"] = run.Pipeline,
        ["succeeded"] = run.Succeeded,
        ["error"] = run.FirstError?.Message,
        ["stages"] = new JsonArray(run.Stages.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Name,
            ["status"] = s.Status.ToString().ToLowerInvariant(),
            ["cached"] = s.Status == StageStatus.Cached,
            ["seconds"] = Math.Round(s.Seconds, 3),
            ["key"] = s.Key?.Hex,
            ["version"] = s.Version,
            ["rows"] = new JsonObject(s.Rows.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))),
            ["error"] = s.Error?.Message,
            ["measured_utc"] = s.MeasuredUtc?.ToString("O"),
            ["measurements"] = new JsonObject(s.Measurements.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)Math.Round(m.Value, 4)))),
        }).ToArray()),
        ["metrics"] = metrics,
    };
}

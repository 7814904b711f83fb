using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Llm4Sbr.Engine.Keys;

/// <summary>Canonical JSON for hashing: snake_case property names, enums as kebab-case strings,
/// object keys sorted ordinally at every depth, no whitespace, shortest round-trip numbers.
/// Two configurations serialise to the same text exactly when their values are equal.</summary>
public static class CanonicalJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static string Serialize<T>(T value) => Canonicalize(JsonSerializer.SerializeToNode(value, Options));

    /// <summary>Sorts object keys at every depth and prints without whitespace.</summary>
    public static string Canonicalize(JsonNode? node) =>
        Sorted(node)?.ToJsonString(Options) ?? "null";

    public static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };
}

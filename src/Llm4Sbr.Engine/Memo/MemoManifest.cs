using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Llm4Sbr.Engine.Memo;

/// <summary>One file of a cache entry, with what it must be on disk.</summary>
public sealed record ManifestFile(string Name, long Bytes, string Sha256);

/// <summary><c>manifest.json</c> of a cache entry: what was computed (stage, version, codec,
/// configuration, input keys, source file hashes), when and how long it took, how many rows each
/// table has, every file with its size and SHA-256 (checked on every read), and what the stage
/// measured while computing it (<see cref="Measurements"/>: wall seconds and the like on the machine
/// that computed it; metadata, not part of the output or the key). <see cref="InputContents"/>: the
/// output hashes of the content-keyed stages it read (absent when none). The hash of its own output is
/// <see cref="OutputContent.Of"/>, derived from <see cref="Files"/>.</summary>
public sealed record MemoManifest(
    string Format,
    string Stage,
    string Version,
    string Codec,
    string Key,
    ImmutableSortedDictionary<string, string> Inputs,
    ImmutableSortedDictionary<string, string> External,
    JsonNode? Config,
    ImmutableSortedDictionary<string, long> Rows,
    double Seconds,
    DateTimeOffset CreatedUtc,
    ImmutableArray<ManifestFile> Files,
    ImmutableSortedDictionary<string, double>? Measurements = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    ImmutableSortedDictionary<string, string>? InputContents = null)
{
    public const string CurrentFormat = "llm4sbr.memo/1";
    public const string FileName = "manifest.json";

    internal static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static MemoManifest? FromJson(string json) => JsonSerializer.Deserialize<MemoManifest>(json, Json);
}

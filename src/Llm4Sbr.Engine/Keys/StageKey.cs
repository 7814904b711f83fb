using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Llm4Sbr.Engine.Keys;

/// <summary>A stage's memo key: 64 lower-case hex digits of a SHA-256.</summary>
public readonly record struct StageKey(string Hex)
{
    public string Short => Hex[..12];
    public override string ToString() => Hex;

    public static bool IsValid(string hex) =>
        hex.Length == 64 && hex.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}

/// <summary>Everything a stage's output depends on. Its key is the SHA-256 of this material as
/// canonical JSON: stage name, version, codec id, canonical configuration, the keys of the stages
/// it reads (by name), the output hashes of the content-keyed stages it reads
/// (<see cref="InputContents"/>, by name) and the SHA-256 of the files outside the cache it reads (by name).</summary>
public sealed record KeyMaterial(
    string Stage,
    string Version,
    string Codec,
    string CanonicalConfig,
    ImmutableSortedDictionary<string, StageKey> Inputs,
    ImmutableSortedDictionary<string, string> External)
{
    /// <summary>Bumped only if the way keys are computed changes (it invalidates every cache entry).</summary>
    public const int Format = 1;

    /// <summary>The stages read that key their readers on their output
    /// (<see cref="Stages.StageKeying.ByOutput"/>): the hash of that output
    /// (<see cref="Memo.OutputContent"/>), in place of their key, which is then not in <see cref="Inputs"/>.
    /// Written into the canonical JSON only when not empty, so the keys of stages that read no such
    /// stage are what they were before content keys existed.</summary>
    public ImmutableSortedDictionary<string, string> InputContents { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public StageKey Key => MemoKeys.Compute(this);

    /// <summary>The material as canonical JSON; the configuration is embedded as JSON, not as a string.</summary>
    public string ToCanonicalJson()
    {
        var node = new JsonObject
        {
            ["key_format"] = Format,
            ["stage"] = Stage,
            ["version"] = Version,
            ["codec"] = Codec,
            ["config"] = JsonNode.Parse(CanonicalConfig),
            ["inputs"] = new JsonObject(Inputs.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value.Hex))),
            ["external"] = new JsonObject(External.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        };
        if (!InputContents.IsEmpty)
            node["input_contents"] = new JsonObject(InputContents.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        return CanonicalJson.Canonicalize(node);
    }

    public bool StructurallyEquals(KeyMaterial other) =>
        Stage == other.Stage && Version == other.Version && Codec == other.Codec
        && CanonicalConfig == other.CanonicalConfig
        && Inputs.SequenceEqual(other.Inputs) && External.SequenceEqual(other.External)
        && InputContents.SequenceEqual(other.InputContents);
}

public static class MemoKeys
{
    public static StageKey Compute(KeyMaterial material) =>
        new(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material.ToCanonicalJson()))));
}

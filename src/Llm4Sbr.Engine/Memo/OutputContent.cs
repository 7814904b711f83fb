using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Llm4Sbr.Engine.Keys;

namespace Llm4Sbr.Engine.Memo;

/// <summary>The hash of a stage's stored output: SHA-256 of the canonical JSON
/// <c>{"codec": ID, "files": {NAME: SHA-256, ...}}</c>, from the per-file hashes a cache entry's
/// manifest records (and verifies on every read). Equal files under the same codec give an equal hash
/// whatever key, time or machine computed them; it is what the readers of a
/// <see cref="Stages.StageKeying.ByOutput"/> stage key on.</summary>
public static class OutputContent
{
    public static string Hash(string codec, IEnumerable<ManifestFile> files)
    {
        var node = new JsonObject
        {
            ["codec"] = codec,
            ["files"] = new JsonObject(files.Select(f => KeyValuePair.Create(f.Name, (JsonNode?)f.Sha256))),
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson.Canonicalize(node))));
    }

    /// <summary>The hash of the output an entry holds.</summary>
    public static string Of(MemoManifest manifest) => Hash(manifest.Codec, manifest.Files);
}

/// <summary>The output hashes of cached stages, looked up by key without changing anything: what the
/// planner and <c>status</c> ask to know a content-keyed stage's readers' keys before it runs.</summary>
public interface IOutputContents
{
    /// <summary>The output hash of the verified entry of <paramref name="key"/>, or null when there is none.</summary>
    Task<string?> ContentOfAsync(StageKey key, string stage, CancellationToken ct);
}

/// <summary>Knows no output: every content-keyed stage's readers wait for it to run.</summary>
public sealed class NoOutputContents : IOutputContents
{
    public static NoOutputContents Instance { get; } = new();
    public Task<string?> ContentOfAsync(StageKey key, string stage, CancellationToken ct) => Task.FromResult<string?>(null);
}

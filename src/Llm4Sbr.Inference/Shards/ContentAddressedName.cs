using System.Security.Cryptography;

namespace Llm4Sbr.Inference.Shards;

/// <summary>How the inference caches (LLM replies, text embeddings) name their Parquet shards: a prefix
/// and the first 32 hex digits of the SHA-256 of the file's bytes. A reader that recomputes the name
/// from the bytes it read recognises a torn or modified shard before parsing it.</summary>
public static class ContentAddressedName
{
    public const string Extension = ".parquet";

    /// <summary><paramref name="prefix"/> + hash of <paramref name="bytes"/> + <see cref="Extension"/>.</summary>
    public static string Of(string prefix, ReadOnlySpan<byte> bytes) =>
        prefix + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + Extension;

    /// <summary>Whether the file name of <paramref name="path"/> is the name its <paramref name="bytes"/> should have.</summary>
    public static bool Matches(string path, string prefix, ReadOnlySpan<byte> bytes) =>
        string.Equals(Path.GetFileName(path), Of(prefix, bytes), StringComparison.Ordinal);
}

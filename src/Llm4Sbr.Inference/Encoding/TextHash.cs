using System.Security.Cryptography;


namespace Llm4Sbr.Inference.Encoding;

/// <summary>Cache keys for texts: SHA-256 of the UTF-8 bytes, as 64 lower-case hex digits.</summary>
public static class TextHash
{
    public static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Hashes every text, in parallel.</summary>
    public static string[] Sha256HexAll(IReadOnlyList<string> texts)
    {
        var hashes = new string[texts.Count];
        Parallel.For(0, texts.Count, i => hashes[i] = Sha256Hex(texts[i]));
        return hashes;
    }
}

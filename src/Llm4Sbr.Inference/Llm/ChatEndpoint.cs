using Microsoft.Extensions.AI;

namespace Llm4Sbr.Inference.Llm;

/// <summary>One server that answers chat requests. <see cref="Name"/> is its base URL (never holds a key);
/// <see cref="Check"/>, when present, says before a run whether the endpoint can serve the model
/// (null: fine, else the problem in words). <see cref="Key"/>, when the server needs one, is hidden from
/// every failure text (servers may echo it).</summary>
public sealed record ChatEndpoint(string Name, IChatClient Client, Func<CancellationToken, Task<string?>>? Check = null, ApiKey? Key = null)
{
    /// <summary><paramref name="text"/> with the key, if any, replaced by <c>(hidden)</c>.</summary>
    public string Redact(string text) =>
        Key is { Value.Length: > 0 } key ? text.Replace(key.Value, "(hidden)", StringComparison.Ordinal) : text;
}

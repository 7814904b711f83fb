namespace Llm4Sbr.Inference.Llm;

/// <summary>One failed attempt against one endpoint. Lives only inside the request pipeline (the retry
/// strategy reads <see cref="IsTransient"/>); callers receive a <see cref="RequestFailure"/> value.</summary>
public sealed class LlmRequestException(string endpoint, string kind, string detail, bool isTransient, int attempt, Exception? inner = null,
    TimeSpan? retryAfter = null)
    : Exception($"{endpoint}: {kind}: {detail}", inner)
{
    /// <summary>When set, the next attempt waits this long instead of the backoff: every circuit is open, or
    /// the server said when to come back (Retry-After, capped at <c>RetryMaxDelay</c>).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public string Endpoint { get; } = endpoint;
    public string Kind { get; } = kind;
    public string Detail { get; } = detail;
    public bool IsTransient { get; } = isTransient;
    /// <summary>1-based number of the attempt that failed.</summary>
    public int Attempt { get; } = attempt;
}

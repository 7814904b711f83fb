using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Llm4Sbr.Inference.Llm;

/// <summary>An HTTP error reply, readable: status, reason and the server's own error text (Ollama's
/// <c>{"error": "..."}</c>, OpenAI's <c>{"error": {"message": "..."}}</c>, else the body's first 200
/// characters), e.g. <c>401 Unauthorized: Incorrect API key provided</c>; and how long the server asked
/// the client to wait before asking again (<c>Retry-After</c>, usually with 429 or 503), if it did.</summary>
internal sealed class HttpErrorReplyException(int status, string reason, string? serverText, TimeSpan? retryAfter = null)
    : HttpRequestException(serverText is null ? reason : $"{reason}: {serverText}", null, (HttpStatusCode)status)
{
    public int Status { get; } = status;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>Turns every non-success reply into <see cref="HttpErrorReplyException"/> before the client library
/// sees it, so both APIs report the server's words instead of a generic or empty message.</summary>
internal sealed class ErrorReplyHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const int MaxBody = 4096;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            throw new HttpErrorReplyException(status, Reason(response), ServerText(body.Length > MaxBody ? body[..MaxBody] : body), RetryAfter(response));
        }
    }

    /// <summary><c>Retry-After</c> as seconds, or as a date measured against the reply's own <c>Date</c>
    /// (the server's clock, not ours); null when absent or a date without one.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } at } when response.Headers.Date is { } sent => at > sent ? at - sent : TimeSpan.Zero,
        _ => null,
    };

    private static string Reason(HttpResponseMessage response) =>
        response.ReasonPhrase is { Length: > 0 } phrase ? phrase
        : Enum.IsDefined(response.StatusCode) ? Regex.Replace(response.StatusCode.ToString(), "(?<=[a-z])(?=[A-Z])", " ")
        : "error";

    internal static string? ServerText(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String) return OneLine(error.GetString());
                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                    return OneLine(message.GetString());
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page): its text, shortened, says more than nothing.
        }
        return OneLine(body);
    }

    private static string? OneLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var line = Regex.Replace(text, @"\s+", " ").Trim();
        return line.Length <= 200 ? line : line[..200] + "...";
    }
}

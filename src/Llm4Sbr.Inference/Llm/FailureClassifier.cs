using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Llm4Sbr.Inference.Llm;

/// <summary>Names what went wrong with an attempt and whether trying again may help.
/// Transient: HTTP 5xx, 429, 408, refused/reset/unreachable connections, I/O errors mid-reply.
/// Not transient: other 4xx (wrong model, bad key, bad request), malformed replies (a server that
/// speaks another protocol does not improve on retry).</summary>
internal static class FailureClassifier
{
    public static (string Kind, string Detail, bool Transient) Classify(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case IncompleteStreamException incomplete:
                    return ("malformed reply", incomplete.Message, false);
                case HttpErrorReplyException reply:
                    return Http(reply.Status, reply.Message);
                case JsonException json:
                    return ("malformed reply", $"the reply is not valid JSON for this API ({json.Message})", false);
                case HttpRequestException { StatusCode: { } status }:
                    return Http((int)status, x.Message);
                case ClientResultException { Status: > 0 } client:
                    return Http(client.Status, x.Message);
                case SocketException socket:
                    return ("connection failed", $"{socket.SocketErrorCode}: {socket.Message}", true);
                case HttpRequestException http when http.InnerException is null:
                    return ("connection failed", http.Message, true);
                case IOException io:
                    return ("connection failed", io.Message, true);
            }
        }
        // ClientResultException without status or with a non-JSON body parse error often wraps format issues.
        if (e is FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException)
            return ("malformed reply", $"{e.GetType().Name}: {e.Message}", false);
        if (e is ClientResultException)
            return ("connection failed", e.Message, true);
        return ("request failed", $"{e.GetType().Name}: {e.Message}", false);
    }

    /// <summary>How long the server asked to wait before the next request (its <c>Retry-After</c>), if it did.</summary>
    public static TimeSpan? ServerAskedWait(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is HttpErrorReplyException { RetryAfter: { } wait }) return wait;
        return null;
    }

    private static (string, string, bool) Http(int status, string message) =>
        (status >= 500 || status == (int)HttpStatusCode.TooManyRequests || status == (int)HttpStatusCode.RequestTimeout)
            ? ($"HTTP {status}", message, true)
            : ($"HTTP {status}", message, false);
}

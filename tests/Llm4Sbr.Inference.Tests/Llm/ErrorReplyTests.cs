using System.Net;
using System.Net.Http.Headers;
using Llm4Sbr.Inference.Llm;
using Xunit;

namespace Llm4Sbr.Inference.Tests.Llm;

/// <summary>An error reply read for people (the server's own words) and for the retry (its Retry-After).</summary>
public class ErrorReplyTests
{
    static HttpResponseMessage Reply(Action<HttpResponseHeaders> headers)
    {
        var reply = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        headers(reply.Headers);
        return reply;
    }

    [Fact]
    public void Retry_after_in_seconds_or_as_a_date_against_the_replys_own_date()
    {
        var sent = new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
        using var seconds = Reply(h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(12)));
        using var date = Reply(h => { h.Date = sent; h.RetryAfter = new RetryConditionHeaderValue(sent.AddSeconds(45)); });
        using var past = Reply(h => { h.Date = sent; h.RetryAfter = new RetryConditionHeaderValue(sent.AddSeconds(-5)); });
        using var dateAlone = Reply(h => h.RetryAfter = new RetryConditionHeaderValue(sent.AddSeconds(45)));
        using var none = Reply(_ => { });

        Assert.Equal(TimeSpan.FromSeconds(12), ErrorReplyHandler.RetryAfter(seconds));
        Assert.Equal(TimeSpan.FromSeconds(45), ErrorReplyHandler.RetryAfter(date));
        Assert.Equal(TimeSpan.Zero, ErrorReplyHandler.RetryAfter(past));
        Assert.Null(ErrorReplyHandler.RetryAfter(dateAlone)); // no clock of the server's to measure it against
        Assert.Null(ErrorReplyHandler.RetryAfter(none));
    }

    [Theory]
    [InlineData("{\"error\":\"model 'x' not found\"}", "model 'x' not found")]
    [InlineData("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}", "Rate limit reached")]
    [InlineData("<html>\n  <body>Bad   gateway</body>\n</html>", "<html> <body>Bad gateway</body> </html>")]
    [InlineData("   ", null)]
    public void The_servers_own_words_are_taken_from_either_api_or_the_body_on_one_line(string body, string? expected) =>
        Assert.Equal(expected, ErrorReplyHandler.ServerText(body));
}

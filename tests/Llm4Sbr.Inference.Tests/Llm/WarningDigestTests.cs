using Llm4Sbr.Inference.Llm;
using Llm4Sbr.Inference.Tests.Encoding;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static Llm4Sbr.Inference.Tests.Llm.LlmTestKit;
using Llm4Sbr.Tests.Fakes;

namespace Llm4Sbr.Inference.Tests.Llm;

/// <summary>Messages that repeat per request are shown once per kind and interval, with a count of those
/// held back; every one still reaches the debug log.</summary>
public class WarningDigestTests : IDisposable
{
    private readonly TempFolders _temp = new();
    public void Dispose() => _temp.Dispose();

    private static string[] AtLevel(RecordingLogger log, LogLevel level) =>
        [.. log.Messages.Where(m => m.StartsWith(level + ": ", StringComparison.Ordinal))];

    [Fact]
    public void The_first_of_a_kind_is_shown_the_rest_held_back_until_the_interval_passes_then_counted()
    {
        var time = new FakeTimeProvider();
        var log = new RecordingLogger();
        var digest = new WarningDigest(log, time, TimeSpan.FromSeconds(30));

        digest.Log(LogLevel.Warning, "retry a 500", "a failed 1");
        digest.Log(LogLevel.Warning, "retry a 500", "a failed 2");
        digest.Log(LogLevel.Warning, "retry a 500", "a failed 3");
        digest.Log(LogLevel.Warning, "retry b 500", "b failed 1");
        time.Advance(TimeSpan.FromSeconds(29));
        digest.Log(LogLevel.Warning, "retry a 500", "a failed 4");
        Assert.Equal(["Warning: a failed 1", "Warning: b failed 1"], AtLevel(log, LogLevel.Warning));
        Assert.Equal(["Debug: a failed 2", "Debug: a failed 3", "Debug: a failed 4"], AtLevel(log, LogLevel.Debug));

        time.Advance(TimeSpan.FromSeconds(1));
        digest.Log(LogLevel.Warning, "retry a 500", "a failed 5");
        Assert.Equal("Warning: a failed 5 (3 more like it held back since the last shown)", AtLevel(log, LogLevel.Warning)[^1]);

        // The count starts again; at the end the rest are shown with the latest of them.
        digest.Log(LogLevel.Warning, "retry a 500", "a failed 6");
        digest.Log(LogLevel.Error, "failed a 500", "a gave up 1");
        digest.Flush();
        Assert.Equal("Warning: a failed 6 (1 more like it held back, this the last of them)", AtLevel(log, LogLevel.Warning)[^1]);
        Assert.Equal(["Error: a gave up 1"], AtLevel(log, LogLevel.Error));
        digest.Flush();
        Assert.Equal(4, AtLevel(log, LogLevel.Warning).Length);
        // After a flush (the end of a run) the next of a kind is shown in full at once.
        digest.Log(LogLevel.Warning, "retry a 500", "a failed 7");
        Assert.Equal("Warning: a failed 7", AtLevel(log, LogLevel.Warning)[^1]);
    }

    [Fact]
    public async Task An_endpoint_that_fails_every_request_is_a_few_warnings_not_one_per_attempt()
    {
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, _ => new FakeReply.Status(500));
        var logs = new CollectingLoggerFactory();
        var settings = Fast("ollama", server.EndpointUrl) with { RetryBaseDelay = TimeSpan.Zero, RetryMaxDelay = TimeSpan.Zero };
        var prompts = Prompts(10);
        await using var engine = Engine(settings, _temp.New(), logs);

        var failed = Failed(await engine.AnswerAsync(prompts, null, Guard()));

        Assert.Equal(prompts.Select(p => p.Hash).Distinct().Count(), failed.Failure.PromptsUnanswered);
        var shown = logs.Messages.Where(m => m.StartsWith("Warning: ", StringComparison.Ordinal) || m.StartsWith("Error: ", StringComparison.Ordinal)).ToArray();
        // Per kind (a retry, a prompt put back, a prompt given up on): the first, and the count at the end.
        Assert.Equal(2, shown.Count(m => m.Contains("retrying in", StringComparison.Ordinal)));
        Assert.Equal(2, shown.Count(m => m.Contains("asked again in pass", StringComparison.Ordinal)));
        Assert.Equal(2, shown.Count(m => m.StartsWith("Error: ", StringComparison.Ordinal) && m.Contains("HTTP 500", StringComparison.Ordinal)));
        Assert.Contains(shown, m => m.Contains("held back, this the last of them", StringComparison.Ordinal));
        // Nothing is lost: each retry is in the debug log (the last one shown again at the end).
        var retryLines = logs.Messages.Count(m => m.Contains("retrying in", StringComparison.Ordinal) && !m.Contains("this the last of them", StringComparison.Ordinal));
        Assert.Equal(failed.Stats.Retries, retryLines);
        Assert.True(failed.Stats.Retries > 20, $"{failed.Stats.Retries} retries");
    }
}

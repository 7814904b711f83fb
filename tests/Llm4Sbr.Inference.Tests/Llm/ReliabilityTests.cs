using Llm4Sbr.Core.Reporting;
using Llm4Sbr.Inference.Llm;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static Llm4Sbr.Inference.Tests.Llm.LlmTestKit;
using Llm4Sbr.Tests.Fakes;

namespace Llm4Sbr.Inference.Tests.Llm;

/// <summary>Hung and flaky servers: deadlines on every call, failed prompts asked again in later passes,
/// backoff outside the concurrency slots, the per-endpoint circuit breaker, readable HTTP errors.
/// Time is a <see cref="FakeTimeProvider"/> wherever a deadline or a delay decides the outcome.</summary>
public class ReliabilityTests : IDisposable
{
    private readonly TempFolders _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Guards a wait on an event of the run (never a timing assertion): a test that would
    /// otherwise hang fails instead.</summary>
    private static Task<T> Within<T>(Task<T> task) => task.WaitAsync(TimeSpan.FromSeconds(30));
    private static Task Within(Task task) => task.WaitAsync(TimeSpan.FromSeconds(30));

    private static int Distinct(IEnumerable<Core.Prompts.PromptRecord> prompts) => prompts.Select(p => p.Hash).Distinct().Count();

    [Fact]
    public async Task A_hung_ollama_endpoint_is_set_aside_after_the_check_deadline_and_the_healthy_one_answers()
    {
        var time = new FakeTimeProvider();
        await using var hung = new SilentServer();
        await using var healthy = await FakeLlmServer.StartAsync(Api.Ollama, ModelReply);
        var logs = new CollectingLoggerFactory();
        var settings = Fast("ollama", hung.Url, healthy.EndpointUrl);
        var prompts = Prompts(10);
        await using var engine = Engine(settings, _temp.New(), logs, time: time);

        var run = engine.AnswerAsync(prompts, null, Guard());
        // Both checks are under way at once: the healthy one finishes while the hung one still waits.
        await Within(hung.Accepted);
        await Within(logs.WaitForAsync($"endpoint {healthy.EndpointUrl}/ serves qwen2.5:7b"));
        Assert.False(run.IsCompleted);
        time.Advance(settings.CheckTimeout);

        var done = Completed(await Within(run));
        Assert.Equal(Distinct(prompts), healthy.ChatRequests);
        Assert.Equal(1, hung.Connections);
        var warning = Assert.Single(logs.Messages, m => m.StartsWith("Warning", StringComparison.Ordinal) && m.Contains(hung.Url, StringComparison.Ordinal));
        Assert.Contains("set aside", warning);
        Assert.Contains("no reply within", warning);
        Assert.All(prompts.Zip(done.Answers), pair => Assert.Equal(ExpectedAnswer(pair.Item1), pair.Item2.Text));
    }

    [Fact]
    public async Task Every_ollama_endpoint_hung_fails_the_run_naming_them_after_the_check_deadline()
    {
        var time = new FakeTimeProvider();
        await using var a = new SilentServer();
        await using var b = new SilentServer();
        var settings = Fast("ollama", a.Url, b.Url);
        await using var engine = Engine(settings, _temp.New(), time: time);

        var run = engine.AnswerAsync(Prompts(3), null, Guard());
        await Within(Task.WhenAll(a.Accepted, b.Accepted));
        time.Advance(settings.CheckTimeout);

        var failed = Failed(await Within(run));
        Assert.Contains("no usable endpoint", failed.Failure.Message);
        Assert.Contains(a.Url, failed.Failure.Message);
        Assert.Contains(b.Url, failed.Failure.Message);
    }

    [Fact]
    public async Task A_hung_openai_endpoint_times_out_per_attempt_and_the_healthy_one_answers_everything()
    {
        // No model check on this path: each attempt's deadline (short, real) sends the work to the healthy server.
        await using var hung = new SilentServer();
        await using var healthy = await FakeLlmServer.StartAsync(Api.OpenAi, ModelReply);
        var prompts = Prompts(8);
        var settings = Fast("openai", hung.Url + "/v1", healthy.EndpointUrl) with { RequestTimeout = TimeSpan.FromMilliseconds(300) };
        await using var engine = Engine(settings, _temp.New());

        var done = Completed(await engine.AnswerAsync(prompts, null, Guard()));

        Assert.True(hung.Connections >= 1);
        Assert.Equal(Distinct(prompts), done.Stats.RepliesByEndpoint[healthy.EndpointUrl]);
        Assert.All(prompts.Zip(done.Answers), pair => Assert.Equal(ExpectedAnswer(pair.Item1), pair.Item2.Text));
    }

    [Theory]
    [InlineData(Api.Ollama)]
    [InlineData(Api.OpenAi)]
    public async Task Prompts_failing_one_request_in_seven_are_asked_again_in_later_passes_and_the_run_completes(Api api)
    {
        // Every 7th request (in arrival order) fails; with no retries each such failure exhausts its prompt's
        // attempts for the pass. One request at a time keeps the arrival order, hence the failures, fixed.
        await using var server = await FakeLlmServer.StartAsync(api, r => r.Sequence % 7 == 0 ? new FakeReply.Status(500) : ModelReply(r));
        var prompts = Prompts(30);
        var cache = _temp.New();
        var settings = Fast(Engine(api), server.EndpointUrl) with { MaxRetries = 0, MaxConcurrency = 1, Passes = 3 };

        InferenceCompleted done;
        await using (var engine = Engine(settings, cache))
            done = Completed(await engine.AnswerAsync(prompts, null, Guard()));

        var failures = server.Requests.Count(r => r.Sequence % 7 == 0);
        Assert.True(failures >= 4, $"only {failures} failures");
        Assert.Equal(Distinct(prompts) + failures, server.ChatRequests);
        Assert.Equal(Distinct(prompts), done.Stats.Received);
        Assert.All(prompts.Zip(done.Answers), pair => Assert.Equal(ExpectedAnswer(pair.Item1), pair.Item2.Text));

        // Every answer is in the cache: a rerun sends nothing.
        var sent = server.ChatRequests;
        await using (var engine = Engine(settings, cache))
            Completed(await engine.AnswerAsync(prompts, null, Guard()));
        Assert.Equal(sent, server.ChatRequests);
    }

    [Fact]
    public async Task A_prompt_failing_in_every_pass_fails_the_run_only_at_the_end_saying_how_many_are_unanswered()
    {
        var prompts = Prompts(12);
        var bad = prompts[0].Text;
        var broken = true;
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, r => broken && r.Prompt == bad ? new FakeReply.Status(503) : ModelReply(r));
        var cache = _temp.New();
        var settings = Fast("ollama", server.EndpointUrl) with { MaxRetries = 1, Passes = 2, BreakerFailures = 100 };
        var distinct = Distinct(prompts);

        InferenceFailed failed;
        await using (var engine = Engine(settings, cache))
            failed = Failed(await engine.AnswerAsync(prompts, null, Guard()));

        Assert.Equal(1, failed.Failure.PromptsUnanswered);
        Assert.Equal(distinct - 1, failed.Failure.RepliesKept);
        Assert.Contains($"1 of {distinct} prompts unanswered after 2 passes", failed.Failure.Message);
        var failure = Assert.Single(failed.Failure.Requests);
        Assert.Equal(("HTTP 503", 4), (failure.Kind, failure.Attempts));
        Assert.Equal(4, server.Requests.Count(r => r.Prompt == bad));

        broken = false;
        var before = server.ChatRequests;
        await using (var engine = Engine(settings, cache))
            Completed(await engine.AnswerAsync(prompts, null, Guard()));
        Assert.Equal(before + 1, server.ChatRequests);
    }

    [Fact]
    public async Task A_prompt_backing_off_holds_no_concurrency_slot()
    {
        // One slot; the first prompt fails once and backs off for a minute of fake time that the test only
        // lets pass once every other prompt is answered: with the slot held during the backoff nothing would move.
        var time = new FakeTimeProvider();
        var prompts = Prompts(10);
        var first = prompts[0].Text;
        var failedOnce = 0;
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, r =>
            r.Prompt == first && Interlocked.Exchange(ref failedOnce, 1) == 0 ? new FakeReply.Status(503) : ModelReply(r));
        var distinct = Distinct(prompts);
        var othersAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new SynchronousProgress<InferenceProgress>(p => { if (p.Received == distinct - 1) othersAnswered.TrySetResult(); });
        var settings = Fast("ollama", server.EndpointUrl) with
        {
            MaxConcurrency = 1, MaxRetries = 1, RequestTimeout = TimeSpan.FromHours(1),
            RetryBaseDelay = TimeSpan.FromMinutes(1), RetryMaxDelay = TimeSpan.FromMinutes(1),
        };
        await using var engine = Engine(settings, _temp.New(), time: time);

        var run = engine.AnswerAsync(prompts, progress, Guard());
        await Within(othersAnswered.Task);
        Assert.Equal(distinct, server.ChatRequests);
        time.Advance(TimeSpan.FromMinutes(2));

        var done = Completed(await Within(run));
        Assert.Equal(distinct + 1, server.ChatRequests);
        Assert.All(prompts.Zip(done.Answers), pair => Assert.Equal(ExpectedAnswer(pair.Item1), pair.Item2.Text));
    }

    [Fact]
    public async Task An_endpoint_failing_again_and_again_is_opened_by_the_breaker_then_tried_again_after_the_break()
    {
        var time = new FakeTimeProvider();
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, r => r.Sequence <= 3 ? new FakeReply.Status(500) : ModelReply(r));
        var logs = new CollectingLoggerFactory();
        var settings = Fast("ollama", server.EndpointUrl) with
        {
            MaxRetries = 10, RetryBaseDelay = TimeSpan.Zero, RetryMaxDelay = TimeSpan.Zero, RequestTimeout = TimeSpan.FromHours(1),
            BreakerFailures = 3, BreakerDuration = TimeSpan.FromSeconds(30),
        };
        var prompts = Prompts(1, Core.Prompts.Views.Long);
        await using var engine = Engine(settings, _temp.New(), logs, time: time);

        var run = engine.AnswerAsync(prompts, null, Guard());
        var opened = await Within(logs.WaitForAsync("circuit open"));
        Assert.Contains(server.EndpointUrl, opened);
        // While the circuit is open no request reaches the endpoint, whatever the retries left.
        Assert.Equal(3, server.ChatRequests);
        // The break passes (stepping the fake clock until the retry waiting for it has run).
        for (var step = 0; step < 100 && !run.IsCompleted; step++)
        {
            time.Advance(settings.BreakerDuration);
            await Task.WhenAny(run, Task.Delay(50));
        }

        var done = Completed(await Within(run));
        Assert.Equal(4, server.ChatRequests);
        Assert.Equal(ExpectedAnswer(prompts[0]), done.Answers[0].Text);
    }

    [Theory]
    [InlineData(Api.Ollama, 7, "00:00:07")]
    [InlineData(Api.OpenAi, 7, "00:00:07")]
    [InlineData(Api.OpenAi, 3600, "00:00:30")] // at most RetryMaxDelay
    public async Task A_429_with_retry_after_is_asked_again_when_the_server_said_and_not_before(Api api, int retryAfter, string expectedWait)
    {
        var time = new FakeTimeProvider();
        await using var server = await FakeLlmServer.StartAsync(api, r => r.Sequence == 1 ? new FakeReply.Status(429, RetryAfterSeconds: retryAfter) : ModelReply(r));
        var logs = new CollectingLoggerFactory();
        var settings = Fast(Engine(api), server.EndpointUrl) with
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromSeconds(30), RequestTimeout = TimeSpan.FromHours(1),
        };
        var prompts = Prompts(1, Core.Prompts.Views.Long);
        await using var engine = Engine(settings, _temp.New(), logs, time: time);

        var run = engine.AnswerAsync(prompts, null, Guard());
        var retry = await Within(logs.WaitForAsync("retrying in"));
        Assert.Contains($"HTTP 429: Too Many Requests", retry);
        Assert.Contains($"retrying in {expectedWait}", retry);
        // The backoff alone (1 ms) would have asked again long before the server's time.
        time.Advance(TimeSpan.Parse(expectedWait, System.Globalization.CultureInfo.InvariantCulture) - TimeSpan.FromMilliseconds(10));
        Assert.Equal(1, server.ChatRequests);
        for (var step = 0; step < 100 && !run.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.WhenAny(run, Task.Delay(50));
        }

        var done = Completed(await Within(run));
        Assert.Equal(2, server.ChatRequests);
        Assert.Equal(ExpectedAnswer(prompts[0]), done.Answers[0].Text);
    }

    [Theory]
    [InlineData(Api.Ollama, "{\"error\":\"unauthorized: missing or bad token\"}", "unauthorized: missing or bad token")]
    [InlineData(Api.OpenAi, "{\"error\":{\"message\":\"Incorrect API key provided: KEY.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}", "Incorrect API key provided: (hidden).")]
    [InlineData(Api.OpenAi, "", "")]
    public async Task A_401_reply_reads_as_status_reason_and_the_servers_error_text_never_the_key(Api api, string body, string serverText)
    {
        const string key = "sk-test-7f3a9c2e51d04b8a";
        await using var server = await FakeLlmServer.StartAsync(api, _ => new FakeReply.Status(401, body.Replace("KEY", key, StringComparison.Ordinal)));
        var logs = new CollectingLoggerFactory();
        var settings = Fast(Engine(api), server.EndpointUrl) with { ApiKeyEnv = api == Api.OpenAi ? "LLM4SBR_TEST_KEY" : null };
        await using var engine = Engine(settings, _temp.New(), logs, name => name == "LLM4SBR_TEST_KEY" ? key : null);

        var failed = Failed(await engine.AnswerAsync(Prompts(1, Core.Prompts.Views.Long), null, Guard()));

        var failure = Assert.Single(failed.Failure.Requests);
        Assert.Equal("HTTP 401", failure.Kind);
        Assert.Equal(serverText.Length == 0 ? "Unauthorized" : $"Unauthorized: {serverText}", failure.Detail);
        Assert.Contains("HTTP 401: Unauthorized", failed.Failure.Message);
        Assert.DoesNotContain("(: )", failed.Failure.Message);
        Assert.DoesNotContain(key, failed.Failure.Message);
        Assert.DoesNotContain(logs.Messages, m => m.Contains(key, StringComparison.Ordinal));
        Assert.Equal(1, server.ChatRequests);
    }
}

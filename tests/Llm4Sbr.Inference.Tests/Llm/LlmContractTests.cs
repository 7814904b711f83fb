using System.Collections.Concurrent;
using Llm4Sbr.Core.Answers;
using Llm4Sbr.Core.Prompts;
using Llm4Sbr.Inference.Llm;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static Llm4Sbr.Inference.Tests.Llm.LlmTestKit;
using Llm4Sbr.Tests.Fakes;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Inference.Tests.Llm;

/// <summary>The LLM engines against in-process servers speaking Ollama's and OpenAI's HTTP APIs.</summary>
public class LlmContractTests : IDisposable
{
    private readonly TempFolders _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(Api.Ollama, false)]
    [InlineData(Api.Ollama, true)]
    [InlineData(Api.OpenAi, false)]
    [InlineData(Api.OpenAi, true)]
    public async Task Each_views_prompt_reaches_the_server_and_answers_come_back_to_their_samples(Api api, bool stream)
    {
        await using var server = await FakeLlmServer.StartAsync(api, ModelReply);
        var prompts = Prompts(12, Views.Long, Views.Short, Views.Normal);
        await using var engine = Engine(Fast(Engine(api), server.EndpointUrl) with { Stream = stream }, _temp.New());

        var run = Completed(await engine.AnswerAsync(prompts, null, Guard()));

        var distinct = prompts.Select(p => p.Text).Distinct().ToArray();
        Assert.Equal(distinct.Order(StringComparer.Ordinal), server.Requests.Select(r => r.Prompt).Order(StringComparer.Ordinal));
        Assert.All(server.Requests, r =>
        {
            Assert.Equal("qwen2.5:7b", r.Model);
            Assert.Equal(stream, r.Stream);
        });
        Assert.Equal(prompts.Select(p => (p.SampleId, p.View)), run.Answers.Select(a => (a.SampleId, a.View)));
        Assert.All(prompts.Zip(run.Answers), pair =>
        {
            var (prompt, answer) = pair;
            Assert.Equal(ExpectedAnswer(prompt), answer.Text);
            Assert.Equal(AnswerStatus.Ok, answer.Status);
            Assert.Equal(Engine(api), answer.Engine);
            Assert.Equal(Engine(api), answer.TextEngine);
            Assert.Equal("qwen2.5:7b", answer.Model);
            Assert.Equal(prompt.Hash, answer.PromptHash);
            Assert.False(answer.FellBackToOffline);
            Assert.Equal(ReplyFor(prompt.Text), answer.Raw);
        });
        Assert.Equal(distinct.Length, run.Stats.Received);
        Assert.Equal(0, run.Stats.FromCache);
    }

    [Theory]
    [InlineData(Api.Ollama)]
    [InlineData(Api.OpenAi)]
    public async Task Generation_options_are_sent_with_every_request(Api api)
    {
        await using var server = await FakeLlmServer.StartAsync(api, ModelReply);
        var settings = Fast(Engine(api), server.EndpointUrl) with { Generation = new GenerationOptions { Temperature = 0.25f, MaxOutputTokens = 33, Seed = 7 } };
        await using var engine = Engine(settings, _temp.New());
        Completed(await engine.AnswerAsync(Prompts(2), null, Guard()));
        Assert.All(server.Requests, r =>
        {
            var options = api == Api.Ollama ? r.Body!["options"]! : r.Body!;
            Assert.Equal(0.25, options["temperature"]!.GetValue<double>(), 3);
            Assert.Equal(7, options["seed"]!.GetValue<long>());
            var maxTokens = api == Api.Ollama ? options["num_predict"] : options["max_completion_tokens"] ?? options["max_tokens"];
            Assert.Equal(33, maxTokens!.GetValue<int>());
        });
    }

    [Fact]
    public async Task Concurrency_never_exceeds_max_concurrency()
    {
        const int bound = 3;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        FakeLlmServer server = null!;
        server = await FakeLlmServer.StartAsync(Api.Ollama, async r =>
        {
            // Hold the first requests until `bound` are in flight together, so the bound is reached, then
            // keep every reply slow enough for any excess request to be seen.
            if (server.InFlight >= bound) gate.TrySetResult();
            await gate.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(15);
            return ModelReply(r);
        });
        await using var _ = server;
        var prompts = Prompts(24);
        await using var engine = Engine(Fast("ollama", server.EndpointUrl) with { MaxConcurrency = bound }, _temp.New());

        Completed(await engine.AnswerAsync(prompts, null, Guard()));

        Assert.Equal(bound, server.MaxInFlight);
        Assert.Equal(prompts.Select(p => p.Hash).Distinct().Count(), server.ChatRequests);
    }

    [Theory]
    [InlineData(Api.Ollama, 500)]
    [InlineData(Api.Ollama, 429)]
    [InlineData(Api.OpenAi, 503)]
    [InlineData(Api.OpenAi, 429)]
    public async Task A_transient_status_is_retried_then_succeeds(Api api, int status)
    {
        var failedOnce = new ConcurrentDictionary<string, bool>();
        await using var server = await FakeLlmServer.StartAsync(api, r =>
            failedOnce.TryAdd(r.Prompt, true) ? new FakeReply.Status(status) : ModelReply(r));
        var prompts = Prompts(5);
        await using var engine = Engine(Fast(Engine(api), server.EndpointUrl), _temp.New());

        var run = Completed(await engine.AnswerAsync(prompts, null, Guard()));

        var distinct = prompts.Select(p => p.Hash).Distinct().Count();
        Assert.Equal(2 * distinct, server.ChatRequests);
        Assert.Equal(distinct, run.Stats.Retries);
        Assert.All(prompts.Zip(run.Answers), pair => Assert.Equal(ExpectedAnswer(pair.Item1), pair.Item2.Text));
    }

    [Theory]
    [InlineData(Api.Ollama)]
    [InlineData(Api.OpenAi)]
    public async Task A_hung_request_times_out_and_the_run_fails_keeping_every_reply_received(Api api)
    {
        // Fake time: each attempt's deadline passes only when the test advances the clock, once the hung
        // request has reached the server and every other prompt is answered (so no other request can time out).
        var time = new FakeTimeProvider();
        var prompts = Prompts(8);
        var hungPrompt = prompts[^1].Text;
        var hang = true;
        using var hungArrivals = new SemaphoreSlim(0);
        await using var server = await FakeLlmServer.StartAsync(api, r =>
        {
            if (!hang || r.Prompt != hungPrompt) return ModelReply(r);
            hungArrivals.Release();
            return new FakeReply.Hang();
        });
        var cache = _temp.New();
        var distinct = prompts.Select(p => p.Hash).Distinct().Count();
        var othersAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new SynchronousProgress<InferenceProgress>(p => { if (p.Received == distinct - 1) othersAnswered.TrySetResult(); });
        var settings = Fast(Engine(api), server.EndpointUrl) with
        {
            RequestTimeout = TimeSpan.FromSeconds(1), MaxRetries = 1, Passes = 1, RetryBaseDelay = TimeSpan.Zero, RetryMaxDelay = TimeSpan.Zero,
        };

        InferenceFailed failed;
        await using (var engine = Engine(settings, cache, time: time))
        {
            var run = engine.AnswerAsync(prompts, progress, Guard());
            await othersAnswered.Task.WaitAsync(Guard());
            for (var attempt = 0; attempt < 2; attempt++)
            {
                await hungArrivals.WaitAsync(Guard());
                time.Advance(settings.RequestTimeout);
            }
            failed = Failed(await run.WaitAsync(Guard()));
        }

        var failure = Assert.Single(failed.Failure.Requests);
        Assert.Equal("timed out", failure.Kind);
        Assert.True(failure.Transient);
        Assert.Equal(2, failure.Attempts);
        Assert.StartsWith(server.Url, failure.Endpoint);
        Assert.Contains(server.Url, failed.Failure.Message);
        Assert.Contains("timed out", failed.Failure.Message);
        Assert.Equal(prompts[^1].SampleId, failure.SampleId);
        Assert.Equal(distinct - 1, failed.Failure.RepliesKept);
        Assert.Equal(1, failed.Failure.PromptsUnanswered);
        Assert.Equal(2, server.Requests.Count(r => r.Prompt == hungPrompt));

        // The server recovers: a rerun asks only for the one prompt left.
        hang = false;
        var before = server.ChatRequests;
        await using (var engine = Engine(settings, cache))
        {
            var run = Completed(await engine.AnswerAsync(prompts, null, Guard()));
            Assert.Equal(distinct - 1, run.Stats.FromCache);
            Assert.All(prompts.Zip(run.Answers), pair => Assert.Equal(ExpectedAnswer(pair.Item1), pair.Item2.Text));
        }
        Assert.Equal(before + 1, server.ChatRequests);
        Assert.Equal(hungPrompt, server.Requests.Last().Prompt);
    }

    [Theory]
    [InlineData(Api.Ollama, false, "{\"model\": \"qwen2.5:7b\", \"message\": {\"content\": ")]
    [InlineData(Api.Ollama, false, "<html>gateway</html>")]
    [InlineData(Api.Ollama, false, "{}")]
    [InlineData(Api.Ollama, true, "{\"model\": \"qwen2.5:7b\", \"message\": {\"content\": ")]
    [InlineData(Api.Ollama, true, "{}")]
    [InlineData(Api.OpenAi, false, "{\"id\": \"x\", \"choices\": [")]
    [InlineData(Api.OpenAi, false, "<html>gateway</html>")]
    [InlineData(Api.OpenAi, false, "{\"choices\": []}")]
    [InlineData(Api.OpenAi, true, "<html>gateway</html>")]
    [InlineData(Api.OpenAi, true, "data: {\"id\": \"x\", \"choices\": [")]
    public async Task Malformed_json_is_reported_as_an_error_naming_the_endpoint_and_not_retried(Api api, bool stream, string body)
    {
        var prompts = Prompts(1, Views.Long);
        await using var server = await FakeLlmServer.StartAsync(api, _ => new FakeReply.Malformed(body));
        await using var engine = Engine(Fast(Engine(api), server.EndpointUrl) with { Stream = stream }, _temp.New());

        var failed = Failed(await engine.AnswerAsync(prompts, null, Guard()));

        var failure = Assert.Single(failed.Failure.Requests);
        Assert.Equal("malformed reply", failure.Kind);
        Assert.False(failure.Transient);
        Assert.StartsWith(server.Url, failure.Endpoint);
        Assert.Contains(server.Url, failed.Failure.Message);
        Assert.Contains("1 of 1 prompts unanswered when a failure retrying cannot fix stopped the run", failed.Failure.Message);
        Assert.Equal(1, server.ChatRequests);
    }

    [Theory]
    [InlineData(Api.Ollama)]
    [InlineData(Api.OpenAi)]
    public async Task A_second_run_with_the_same_cache_sends_nothing_new(Api api)
    {
        await using var server = await FakeLlmServer.StartAsync(api, ModelReply);
        var prompts = Prompts(10);
        var cache = _temp.New();
        var settings = Fast(Engine(api), server.EndpointUrl) with { CacheBatchSize = 3 };
        InferenceCompleted first, second;
        await using (var engine = Engine(settings, cache))
            first = Completed(await engine.AnswerAsync(prompts, null, Guard()));
        var sent = server.ChatRequests;
        await using (var engine = Engine(settings, cache))
            second = Completed(await engine.AnswerAsync(prompts, null, Guard()));

        Assert.Equal(sent, server.ChatRequests);
        Assert.Equal(first.Answers.AsEnumerable(), second.Answers.AsEnumerable());
        Assert.Equal(sent, second.Stats.FromCache);
        Assert.Equal(0, second.Stats.Sent);
        Assert.Empty(second.Stats.Cache!.Corrupt);

        // Another model, or other generation options, is another cache key: asked again.
        await using (var engine = Engine(settings with { Generation = new GenerationOptions { Temperature = 0.7f } }, cache))
            Completed(await engine.AnswerAsync(prompts, null, Guard()));
        Assert.Equal(2 * sent, server.ChatRequests);
    }

    [Fact]
    public async Task Several_endpoints_share_the_load()
    {
        await using var a = await FakeLlmServer.StartAsync(Api.Ollama, async r => { await Task.Delay(5); return ModelReply(r); });
        await using var b = await FakeLlmServer.StartAsync(Api.Ollama, async r => { await Task.Delay(5); return ModelReply(r); });
        var prompts = Prompts(20);
        await using var engine = Engine(Fast("ollama", a.EndpointUrl, b.EndpointUrl), _temp.New());

        var run = Completed(await engine.AnswerAsync(prompts, null, Guard()));

        var distinct = prompts.Select(p => p.Hash).Distinct().Count();
        Assert.True(a.ChatRequests > 0, "endpoint a got no request");
        Assert.True(b.ChatRequests > 0, "endpoint b got no request");
        Assert.Equal(distinct, a.ChatRequests + b.ChatRequests);
        Assert.Equal(a.ChatRequests, run.Stats.RepliesByEndpoint[a.EndpointUrl + "/"]);
        Assert.Equal(b.ChatRequests, run.Stats.RepliesByEndpoint[b.EndpointUrl + "/"]);
        Assert.All(prompts.Zip(run.Answers), pair => Assert.Equal(ExpectedAnswer(pair.Item1), pair.Item2.Text));
    }

    [Fact]
    public async Task A_refused_connection_is_retried_on_another_endpoint()
    {
        var deadUrl = $"http://127.0.0.1:{FreePort()}/v1";
        await using var live = await FakeLlmServer.StartAsync(Api.OpenAi, ModelReply);
        var prompts = Prompts(6);
        await using var engine = Engine(Fast("openai", deadUrl, live.EndpointUrl), _temp.New());

        var run = Completed(await engine.AnswerAsync(prompts, null, Guard()));

        Assert.True(run.Stats.Retries >= 1);
        Assert.Equal(prompts.Select(p => p.Hash).Distinct().Count(), live.ChatRequests);
        Assert.All(prompts.Zip(run.Answers), pair => Assert.Equal(ExpectedAnswer(pair.Item1), pair.Item2.Text));
    }

    [Fact]
    public async Task With_no_retries_and_one_pass_a_transient_failure_fails_its_prompt_after_one_attempt()
    {
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, _ => new FakeReply.Status(502));
        await using var engine = Engine(Fast("ollama", server.EndpointUrl) with { MaxRetries = 0, Passes = 1, MaxConcurrency = 1 }, _temp.New());
        var prompts = Prompts(3);

        var failed = Failed(await engine.AnswerAsync(prompts, null, Guard()));

        // A transient failure does not stop the others: each prompt got its one attempt.
        var distinct = prompts.Select(p => p.Hash).Distinct().Count();
        Assert.Equal(distinct, failed.Failure.Requests.Length);
        Assert.All(failed.Failure.Requests, f => Assert.Equal(("HTTP 502", 1), (f.Kind, f.Attempts)));
        Assert.Equal(distinct, failed.Failure.PromptsUnanswered);
        Assert.Equal(distinct, server.ChatRequests);
    }

    [Fact]
    public async Task Only_refused_connections_fail_after_the_retries_of_every_pass_naming_the_endpoint()
    {
        var deadUrl = $"http://127.0.0.1:{FreePort()}/v1";
        var settings = Fast("openai", deadUrl) with { MaxRetries = 2, Passes = 2 };
        await using var engine = Engine(settings, _temp.New());

        var failed = Failed(await engine.AnswerAsync(Prompts(3), null, Guard()));

        var failure = failed.Failure.Requests[0];
        Assert.Equal("connection failed", failure.Kind);
        Assert.True(failure.Transient);
        Assert.Equal(3 * 2, failure.Attempts);
        Assert.StartsWith(deadUrl, failure.Endpoint);
        Assert.Equal(0, failed.Failure.RepliesKept);
    }

    [Theory]
    [InlineData(Api.Ollama, false, "", AnswerStatus.Empty)]
    [InlineData(Api.Ollama, true, "", AnswerStatus.Empty)]
    [InlineData(Api.OpenAi, true, "", AnswerStatus.Empty)]
    [InlineData(Api.Ollama, false, "I'm sorry, but I cannot guess that from the clicks.", AnswerStatus.Unusable)]
    [InlineData(Api.OpenAi, false, "I'm sorry, but I cannot guess that from the clicks.", AnswerStatus.Unusable)]
    [InlineData(Api.Ollama, true, "```\n\n```", AnswerStatus.Empty)]
    public async Task An_empty_or_unusable_reply_falls_back_to_the_offline_answer_flagged(Api api, bool stream, string reply, AnswerStatus status)
    {
        var prompts = Prompts(4, Views.Long, Views.Short);
        var bad = prompts[2];
        await using var server = await FakeLlmServer.StartAsync(api, r => r.Prompt == bad.Text ? new FakeReply.Text(reply) : ModelReply(r));
        await using var engine = Engine(Fast(Engine(api), server.EndpointUrl) with { Stream = stream }, _temp.New());

        var run = Completed(await engine.AnswerAsync(prompts, null, Guard()));

        var offline = Offline().Answer(bad).Match(a => a, e => throw new Xunit.Sdk.XunitException(e.Message));
        var fellBack = Assert.Single(run.Answers, a => a.FellBackToOffline);
        Assert.Equal((bad.SampleId, bad.View), (fellBack.SampleId, fellBack.View));
        Assert.Equal(status, fellBack.Status);
        Assert.Equal(reply, fellBack.Raw);
        Assert.Equal(offline.Text, fellBack.Text);
        Assert.Equal(offline.OfflineItemId, fellBack.OfflineItemId);
        Assert.Equal("offline", fellBack.TextEngine);
        Assert.Equal(Engine(api), fellBack.Engine);
        Assert.NotNull(fellBack.Issue);
        Assert.Equal(1, run.Stats.FellBackToOffline);
        Assert.Equal(status == AnswerStatus.Empty ? 1 : 0, run.Stats.Empty);
        Assert.Equal(status == AnswerStatus.Unusable ? 1 : 0, run.Stats.Unusable);
        Assert.All(run.Answers.Where(a => !a.FellBackToOffline), a => Assert.Equal(AnswerStatus.Ok, a.Status));
    }

    [Fact]
    public async Task A_view_without_an_offline_fallback_rule_is_rejected_before_any_request()
    {
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, ModelReply);
        var weekend = new ViewSpec("weekend", "at the weekend");
        var prompts = Prompts(2, Views.Long, weekend);
        await using var engine = IntentEngines.Create(Fast("ollama", server.EndpointUrl), Offline(Views.Long, Views.Short), _temp.New(), _ => null)
            .Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message));

        var failed = Failed(await engine.AnswerAsync(prompts, null, Guard()));

        Assert.Contains("'weekend'", failed.Failure.Message);
        Assert.Contains("long, short", failed.Failure.Message);
        Assert.Equal(0, server.ChatRequests);
    }

    [Fact]
    public async Task An_ollama_server_without_the_model_is_reported_before_any_prompt_is_sent()
    {
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, ModelReply, "llama3:8b", "mistral:latest");
        await using var engine = Engine(Fast("ollama", server.EndpointUrl), _temp.New());

        var failed = Failed(await engine.AnswerAsync(Prompts(3), null, Guard()));

        Assert.Contains("qwen2.5:7b", failed.Failure.Message);
        Assert.Contains(server.Url, failed.Failure.Message);
        Assert.Contains("llama3:8b", failed.Failure.Message);
        Assert.Contains("ollama pull qwen2.5:7b", failed.Failure.Message);
        Assert.Equal(1, server.TagRequests);
        Assert.Equal(0, server.ChatRequests);
    }

    [Fact]
    public async Task The_api_key_comes_from_the_named_variable_and_is_never_logged_or_written()
    {
        const string key = "sk-test-7f3a9c2e51d04b8a";
        await using var server = await FakeLlmServer.StartAsync(Api.OpenAi, ModelReply);
        var cache = _temp.New();
        var logs = new CollectingLoggerFactory();
        var settings = Fast("openai", server.EndpointUrl) with { ApiKeyEnv = "LLM4SBR_TEST_KEY" };
        await using (var engine = Engine(settings, cache, logs, name => name == "LLM4SBR_TEST_KEY" ? key : null))
            Completed(await engine.AnswerAsync(Prompts(3), null, Guard()));

        Assert.All(server.Requests, r => Assert.Equal("Bearer " + key, r.Authorization));
        Assert.NotEmpty(logs.Messages);
        Assert.Contains(logs.Messages, m => m.Contains("LLM4SBR_TEST_KEY", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains(key, StringComparison.Ordinal));
        foreach (var file in Directory.GetFiles(cache, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(key, System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file, Guard())));
    }

    [Fact]
    public async Task Answers_come_out_in_prompt_order_whatever_the_concurrency()
    {
        // Replies take longer for some prompts than others, so completion order differs from prompt order.
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, async r =>
        {
            await Task.Delay((r.Prompt.Length * 7) % 23);
            return ModelReply(r);
        });
        var prompts = Prompts(24, Views.Long, Views.Short, Views.Normal);
        InferenceCompleted serial, parallel;
        await using (var engine = Engine(Fast("ollama", server.EndpointUrl) with { MaxConcurrency = 1 }, _temp.New()))
            serial = Completed(await engine.AnswerAsync(prompts, null, Guard()));
        await using (var engine = Engine(Fast("ollama", server.EndpointUrl) with { MaxConcurrency = 8 }, _temp.New()))
            parallel = Completed(await engine.AnswerAsync(prompts, null, Guard()));

        Assert.Equal(serial.Answers.AsEnumerable(), parallel.Answers.AsEnumerable());
        Assert.Equal(prompts.Select(p => (p.SampleId, p.View)), parallel.Answers.Select(a => (a.SampleId, a.View)));
    }

    [Fact]
    public async Task Progress_is_reported_up_to_all_distinct_prompts()
    {
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, ModelReply);
        var prompts = Prompts(6);
        var reports = new ConcurrentQueue<InferenceProgress>();
        await using var engine = Engine(Fast("ollama", server.EndpointUrl), _temp.New());
        Completed(await engine.AnswerAsync(prompts, new SynchronousProgress<InferenceProgress>(reports.Enqueue), Guard()));
        var distinct = prompts.Select(p => p.Hash).Distinct().Count();
        Assert.Contains(reports, r => r.Done == distinct && r.Total == distinct);
        Assert.All(reports, r => Assert.InRange(r.Done, 0, r.Total));
    }

    internal static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}


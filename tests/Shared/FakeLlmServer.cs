using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Linked into the Inference and Stages test projects (see their .csproj).
namespace Llm4Sbr.Tests.Fakes;

/// <summary>A chat request as the server saw it.</summary>
public sealed record ReceivedRequest(int Sequence, string Model, string Prompt, bool Stream, JsonNode? Body, string? Authorization);

/// <summary>What the fake server does with a request.</summary>
public abstract record FakeReply
{
    public sealed record Text(string Content) : FakeReply;
    /// <summary>A failure status with an error body (Ollama's <c>{"error": "..."}</c> unless <paramref name="Body"/> is given).</summary>
    public sealed record Status(int Code, string? Body = null, int? RetryAfterSeconds = null) : FakeReply;
    public sealed record Malformed(string Body) : FakeReply;
    /// <summary>Never answers; ends when the client gives up.</summary>
    public sealed record Hang : FakeReply;
}

public enum Api { Ollama, OpenAi }

/// <summary>An in-process HTTP server on 127.0.0.1 (random free port) speaking Ollama's API
/// (<c>POST /api/chat</c> streamed as NDJSON or not, <c>GET /api/tags</c>) or OpenAI's
/// (<c>POST /v1/chat/completions</c>, streamed as server-sent events or not). It records every chat
/// request and the most requests it had in flight at once.</summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<ReceivedRequest, Task<FakeReply>> _behaviour;
    private readonly string[] _models;
    private int _inFlight;
    private int _maxInFlight;
    private int _sequence;

    private FakeLlmServer(Api api, Func<ReceivedRequest, Task<FakeReply>> behaviour, string[] models)
    {
        Api = api;
        _behaviour = behaviour;
        _models = models;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        if (api == Api.Ollama)
        {
            _app.MapPost("/api/chat", OllamaChat);
            _app.MapGet("/api/tags", OllamaTags);
        }
        else
        {
            _app.MapPost("/v1/chat/completions", OpenAiChat);
        }
    }

    public Api Api { get; }
    public string Url { get; private set; } = "";
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();
    public int InFlight => Volatile.Read(ref _inFlight);
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);
    public int TagRequests;
    private readonly TaskCompletionSource _tagRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first model listing (<c>/api/tags</c>) arrives.</summary>
    public Task TagRequested => _tagRequested.Task;

    /// <summary>Base URL as a user would configure it: Ollama's root, or OpenAI's <c>/v1</c>.</summary>
    public string EndpointUrl => Api == Api.Ollama ? Url : Url + "/v1";

    public static async Task<FakeLlmServer> StartAsync(Api api, Func<ReceivedRequest, Task<FakeReply>> behaviour, params string[] models)
    {
        var server = new FakeLlmServer(api, behaviour, models.Length == 0 ? ["qwen2.5:7b"] : models);
        await server._app.StartAsync();
        var addresses = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        server.Url = addresses.Addresses.First().TrimEnd('/');
        return server;
    }

    public static Task<FakeLlmServer> StartAsync(Api api, Func<ReceivedRequest, FakeReply> behaviour, params string[] models) =>
        StartAsync(api, r => Task.FromResult(behaviour(r)), models);

    public int ChatRequests => Requests.Count;

    /// <summary>Every chat prompt received, in arrival order.</summary>
    public IReadOnlyCollection<string> Prompts => [.. Requests.Select(r => r.Prompt)];

    private async Task<(ReceivedRequest, FakeReply)> ReceiveAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var messages = body?["messages"]?.AsArray();
        var prompt = messages?[^1]?["content"]?.GetValue<string>() ?? "";
        var stream = body?["stream"]?.GetValue<bool>() ?? (Api == Api.Ollama);
        var request = new ReceivedRequest(Interlocked.Increment(ref _sequence), body?["model"]?.GetValue<string>() ?? "", prompt, stream, body,
            context.Request.Headers.Authorization.FirstOrDefault());
        Requests.Enqueue(request);
        return (request, await _behaviour(request));
    }

    private void Enter()
    {
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
    }

    private void Leave() => Interlocked.Decrement(ref _inFlight);

    // A request stops counting as in flight just before its reply is written, so the count never includes a
    // request whose client may already have its reply (and may have sent the next one).
    private sealed class InFlightMark(FakeLlmServer server) : IDisposable
    {
        private int _left;
        public void Done()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0) server.Leave();
        }
        public void Dispose() => Done();
    }

    private InFlightMark Mark()
    {
        Enter();
        return new InFlightMark(this);
    }

    /// <summary>What both chat APIs do first: receive the request, count it in flight until its reply
    /// is chosen (a hanging one stays in flight), send failure replies; a text reply goes to
    /// <paramref name="answer"/>.</summary>
    private async Task ChatAsync(HttpContext context, Func<ReceivedRequest, string, Task> answer)
    {
        using var mark = Mark();
        var (request, reply) = await ReceiveAsync(context);
        if (reply is not FakeReply.Hang) mark.Done();
        if (await HandledAsFailure(context, reply)) return;
        await answer(request, ((FakeReply.Text)reply).Content);
    }

    private Task OllamaChat(HttpContext context) => ChatAsync(context, async (request, text) =>
    {
        if (!request.Stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(OllamaMessage(request.Model, text, done: true).ToJsonString());
            return;
        }
        context.Response.ContentType = "application/x-ndjson";
        foreach (var piece in Pieces(text))
        {
            await context.Response.WriteAsync(OllamaMessage(request.Model, piece, done: false).ToJsonString() + "\n");
            await context.Response.Body.FlushAsync();
        }
        await context.Response.WriteAsync(OllamaMessage(request.Model, "", done: true).ToJsonString() + "\n");
    });

    private async Task OllamaTags(HttpContext context)
    {
        Interlocked.Increment(ref TagRequests);
        _tagRequested.TrySetResult();
        var models = new JsonArray(_models.Select(m => (JsonNode)new JsonObject
        {
            ["name"] = m, ["model"] = m, ["modified_at"] = "2024-05-01T10:00:00Z", ["size"] = 4_700_000_000L, ["digest"] = "0123abcd",
            ["details"] = new JsonObject { ["format"] = "gguf", ["family"] = "qwen2", ["parameter_size"] = "7.6B", ["quantization_level"] = "Q4_K_M" },
        }).ToArray());
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["models"] = models }.ToJsonString());
    }

    private Task OpenAiChat(HttpContext context) => ChatAsync(context, async (request, text) =>
    {
        if (!request.Stream)
        {
            context.Response.ContentType = "application/json";
            var completion = new JsonObject
            {
                ["id"] = $"chatcmpl-{request.Sequence}", ["object"] = "chat.completion", ["created"] = 1_714_000_000, ["model"] = request.Model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text }, ["finish_reason"] = "stop",
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 5, ["total_tokens"] = 15 },
            };
            await context.Response.WriteAsync(completion.ToJsonString());
            return;
        }
        context.Response.ContentType = "text/event-stream";
        var first = true;
        foreach (var piece in Pieces(text))
        {
            var delta = new JsonObject { ["content"] = piece };
            if (first) delta["role"] = "assistant";
            first = false;
            await context.Response.WriteAsync($"data: {Chunk(request, delta, null).ToJsonString()}\n\n");
            await context.Response.Body.FlushAsync();
        }
        await context.Response.WriteAsync($"data: {Chunk(request, new JsonObject(), "stop").ToJsonString()}\n\n");
        await context.Response.WriteAsync("data: [DONE]\n\n");
    });

    private static JsonObject Chunk(ReceivedRequest request, JsonObject delta, string? finish) => new()
    {
        ["id"] = $"chatcmpl-{request.Sequence}", ["object"] = "chat.completion.chunk", ["created"] = 1_714_000_000, ["model"] = request.Model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    private static JsonObject OllamaMessage(string model, string content, bool done)
    {
        var message = new JsonObject
        {
            ["model"] = model, ["created_at"] = "2024-05-01T10:00:00.000000Z",
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content }, ["done"] = done,
        };
        if (done)
        {
            message["done_reason"] = "stop";
            message["total_duration"] = 1_000_000;
            message["prompt_eval_count"] = 42;
            message["eval_count"] = 7;
        }
        return message;
    }

    // A reply in three pieces, so streaming clients must join them.
    private static IEnumerable<string> Pieces(string text)
    {
        var third = Math.Max(1, text.Length / 3);
        for (var i = 0; i < text.Length; i += third) yield return text.Substring(i, Math.Min(third, text.Length - i));
    }

    private static async Task<bool> HandledAsFailure(HttpContext context, FakeReply reply)
    {
        switch (reply)
        {
            case FakeReply.Status s:
                context.Response.StatusCode = s.Code;
                context.Response.ContentType = "application/json";
                if (s.RetryAfterSeconds is { } after) context.Response.Headers.RetryAfter = after.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.Response.WriteAsync(s.Body ?? "{\"error\":\"fake failure\"}");
                return true;
            case FakeReply.Malformed m:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(m.Body);
                return true;
            case FakeReply.Hang:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return true;
            default:
                return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}

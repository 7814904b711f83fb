using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Stages.Tests.Intent.Support;

/// <summary>An in-process HTTP server on 127.0.0.1 (random free port) speaking the part of Ollama's
/// API the engine uses: <c>POST /api/chat</c> (streamed NDJSON or one JSON object) and
/// <c>GET /api/tags</c>. It records every chat prompt. (A trimmed copy of the Inference tests'
/// FakeLlmServer.)</summary>
public sealed class FakeOllama : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly Func<string, string> _reply;
    readonly string[] _models;

    FakeOllama(Func<string, string> reply, string[] models)
    {
        _reply = reply;
        _models = models;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/api/chat", ChatAsync);
        _app.MapGet("/api/tags", TagsAsync);
    }

    public string Url { get; private set; } = "";
    /// <summary>Every chat prompt received, in arrival order.</summary>
    public ConcurrentQueue<string> Prompts { get; } = new();

    public static async Task<FakeOllama> StartAsync(Func<string, string> reply, params string[] models)
    {
        var server = new FakeOllama(reply, models.Length == 0 ? ["qwen2.5:7b"] : models);
        await server._app.StartAsync();
        var addresses = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        server.Url = addresses.Addresses.First().TrimEnd('/');
        return server;
    }

    async Task ChatAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var prompt = body?["messages"]?.AsArray()[^1]?["content"]?.GetValue<string>() ?? "";
        var model = body?["model"]?.GetValue<string>() ?? "";
        var stream = body?["stream"]?.GetValue<bool>() ?? true;
        Prompts.Enqueue(prompt);
        var text = _reply(prompt);
        if (stream)
        {
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.WriteAsync(Message(model, text, done: false).ToJsonString() + "\n");
            await context.Response.WriteAsync(Message(model, "", done: true).ToJsonString() + "\n");
        }
        else
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Message(model, text, done: true).ToJsonString());
        }
    }

    async Task TagsAsync(HttpContext context)
    {
        var models = new JsonArray(_models.Select(m => (JsonNode)new JsonObject
        {
            ["name"] = m, ["model"] = m, ["modified_at"] = "2024-05-01T10:00:00Z", ["size"] = 4_700_000_000L, ["digest"] = "0123abcd",
            ["details"] = new JsonObject { ["format"] = "gguf", ["family"] = "qwen2", ["parameter_size"] = "7.6B", ["quantization_level"] = "Q4_K_M" },
        }).ToArray());
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["models"] = models }.ToJsonString());
    }

    static JsonObject Message(string model, string content, bool done)
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

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}

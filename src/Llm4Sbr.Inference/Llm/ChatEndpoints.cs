using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;
using OpenAI.Chat;

namespace Llm4Sbr.Inference.Llm;

/// <summary>Builds <see cref="ChatEndpoint"/>s over one shared <see cref="HttpClient"/> (no client-side
/// timeout: each attempt carries its own; no built-in retries: <see cref="ResilientChat"/> retries).</summary>
internal static class ChatEndpoints
{
    public static HttpClient CreateHttpClient(HttpMessageHandler? handler = null) =>
        new(new ErrorReplyHandler(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>Ollama through OllamaSharp. The check lists the server's models (<c>/api/tags</c>) and fails
    /// when <paramref name="model"/> is not among them.</summary>
    public static ChatEndpoint Ollama(Uri baseUri, string model, HttpMessageHandler sharedHandler)
    {
        var http = new HttpClient(new ErrorReplyHandler(sharedHandler), disposeHandler: false) { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan };
        var client = new OllamaApiClient(http, model);
        var name = baseUri.ToString();
        return new ChatEndpoint(name, client, async token =>
        {
            try
            {
                var models = (await client.ListLocalModelsAsync(token).ConfigureAwait(false)).Select(m => m.Name).ToArray();
                if (models.Any(m => SameModel(m, model))) return null;
                return $"model '{model}' is not available at {name} (it has: {(models.Length == 0 ? "none" : string.Join(", ", models))}); run `ollama pull {model}` there";
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                var (kind, detail, _) = FailureClassifier.Classify(e);
                return $"{name}: {kind}: {detail} (listing models at /api/tags; is Ollama running? `ollama serve`)";
            }
        });
    }

    /// <summary>Any OpenAI-compatible server (vLLM, llama.cpp server, LM Studio) at <paramref name="baseUri"/>
    /// (e.g. <c>http://host:8000/v1</c>). Without a key a placeholder is sent, which such servers ignore.</summary>
    public static ChatEndpoint OpenAi(Uri baseUri, string model, ApiKey? key, HttpClient sharedHttp)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = baseUri,
            Transport = new HttpClientPipelineTransport(sharedHttp),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        var chat = new ChatClient(model, new ApiKeyCredential(key?.Value ?? "no-key"), options);
        return new ChatEndpoint(baseUri.ToString(), chat.AsIChatClient(), Key: key);
    }

    // Ollama lists "qwen2.5:7b" and "llama3:latest"; a model asked for without a tag means ":latest".
    private static bool SameModel(string listed, string wanted) =>
        string.Equals(listed, wanted, StringComparison.OrdinalIgnoreCase)
        || (!wanted.Contains(':') && string.Equals(listed, wanted + ":latest", StringComparison.OrdinalIgnoreCase));
}

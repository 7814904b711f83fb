using LanguageExt;
using LanguageExt.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Llm4Sbr.Inference.Llm;

/// <summary>Builds the engine the settings ask for.</summary>
public static class IntentEngines
{
    /// <summary>The offline engine when <paramref name="settings"/> resolve to <c>offline</c>, else an
    /// <see cref="LlmIntentEngine"/> over the resolved endpoints with its response cache in
    /// <paramref name="cacheFolder"/> and <paramref name="offline"/> as the fallback. Logs the configuration
    /// (engine, model, endpoints, the key variable's name and whether it is set; never the key).</summary>
    public static Fin<IIntentEngine> Create(LlmSettings settings, OfflineIntentEngine offline, string cacheFolder,
        Func<string, string?>? environment = null, ILoggerFactory? loggers = null, TimeProvider? time = null)
    {
        var resolved = LlmSettingsResolver.Resolve(settings, environment ?? Environment.GetEnvironmentVariable);
        return resolved.Bind(r => Create(r, offline, cacheFolder, loggers, time));
    }

    public static Fin<IIntentEngine> Create(ResolvedLlmSettings resolved, OfflineIntentEngine offline, string cacheFolder,
        ILoggerFactory? loggers = null, TimeProvider? time = null)
    {
        var logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Llm4Sbr.Inference.Llm");
        if (resolved.Kind == LlmEngineKind.Offline)
        {
            logger.LogInformation("LLM engine: offline ({Model}); no LLM is asked", OfflineIntentEngine.ModelName);
            return offline;
        }
        if (string.IsNullOrWhiteSpace(cacheFolder))
            return Error.New("the LLM engines need a response cache folder");

        var http = ChatEndpoints.CreateHttpClient();
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var endpoints = resolved.Kind switch
        {
            LlmEngineKind.Ollama => resolved.Endpoints.Select(u => ChatEndpoints.Ollama(u, resolved.Model, handler)).ToArray(),
            _ => resolved.Endpoints.Select(u => ChatEndpoints.OpenAi(u, resolved.Model, resolved.Key, http)).ToArray(),
        };
        logger.LogInformation("LLM engine: {Engine}, model {Model}, endpoints {Endpoints}, max_concurrency {Concurrency}, timeout {Timeout}, retries {Retries}, passes {Passes}, breaker {BreakerFailures} failures / {BreakerDuration}{Key}",
            resolved.EngineName, resolved.Model, string.Join(", ", endpoints.Select(e => e.Name)), resolved.Settings.MaxConcurrency,
            resolved.Settings.RequestTimeout, resolved.Settings.MaxRetries, resolved.Settings.Passes, resolved.Settings.BreakerFailures, resolved.Settings.BreakerDuration,
            resolved.Settings.ApiKeyEnv is { Length: > 0 } env ? $", API key from ${env} ({(resolved.Key is null ? "not set" : "set")})" : "");
        return new LlmIntentEngine(resolved.EngineName, resolved.Model, endpoints, resolved.Settings, offline, cacheFolder,
            time ?? TimeProvider.System, logger, new Disposables(http, handler));
    }

    private sealed class Disposables(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items) item.Dispose();
        }
    }
}

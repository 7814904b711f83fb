using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Answers;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Inference.Llm;

namespace Llm4Sbr.Stages.Intent.Infer;

/// <summary>Sampling options sent with every request (in the memo key and the response cache key).</summary>
public sealed record GenerationConfig(float Temperature, int MaxOutputTokens, long Seed, float? TopP)
{
    public GenerationOptions ToOptions() => new() { Temperature = Temperature, MaxOutputTokens = MaxOutputTokens, Seed = Seed, TopP = TopP };
}

/// <summary>The memo key's part of the <c>infer</c> configuration: who answers (engine and model),
/// with which sampling options (none for the offline engine), how answers are cleaned and what the
/// offline engine (answer and fallback) is. Endpoints, concurrency, timeouts, retries and the key
/// variable are not in it: they change where and how fast answers come, not which answers (an
/// endpoint serving another model under the same name is the user's business).</summary>
public sealed record InferConfig(string Engine, string Model, GenerationConfig? Generation, string AnswerCleaning, string Offline);

/// <summary>The <c>llm</c> section read: the keyed part and the settings the engine is built with.</summary>
public sealed record LlmSetup(InferConfig Config, LlmSettings Settings);

/// <summary>The <c>llm</c> section. The command line overrides <c>engine</c> (<c>--llm</c>), <c>model</c>
/// (<c>--llm-model</c>) and <c>endpoints</c> (<c>--llm-endpoint</c>, repeatable); see <see cref="IntentOverrides"/>.
/// <code>
/// llm:
///   engine: ollama                 # offline | ollama | openai; default offline when no endpoint is configured
///   model: qwen2.5:7b              # ollama default qwen2.5:7b (the paper used qwen:7b-chat); openai: required
///   endpoints: [http://127.0.0.1:11434]   # requests spread over all; ollama default $OLLAMA_HOST, else 127.0.0.1:11434
///   api_key_env: OPENAI_API_KEY    # openai: the variable holding the key (never written anywhere)
///   max_concurrency: 4             # requests in flight, over all endpoints
///   timeout_seconds: 120           # per attempt
///   check_timeout_seconds: 10      # per endpoint check before the run (ollama: listing models); no reply: endpoint set aside
///   retries: 4                     # on transient failures (5xx, 429, timeouts, refused connections), with backoff and jitter
///   passes: 3                      # prompts whose retries ran out go to the end of the queue, up to this many rounds
///   breaker_failures: 5            # consecutive transient failures that open an endpoint's circuit
///   breaker_seconds: 30            # how long an open circuit keeps requests away, then one trial request
///   stream: false                  # ask for streamed replies
///   cache_batch_size: 200          # replies persisted per response-cache shard
///   temperature: 0                 # sampling options: in the memo and response cache keys
///   max_output_tokens: 64
///   seed: 42
///   top_p: ~                       # default: the server's
/// </code></summary>
public static class LlmSection
{
    public const string Name = "llm";

    public static readonly ConfigChoices<string> Engines = new(
        (LlmSettingsResolver.Offline, LlmSettingsResolver.Offline),
        (LlmSettingsResolver.Ollama, LlmSettingsResolver.Ollama),
        (LlmSettingsResolver.OpenAi, LlmSettingsResolver.OpenAi));

    public static Validation<Error, LlmSetup> Read(ConfigSection section) =>
        section.Read(r =>
        {
            var engineGiven = r.Has("engine");
            var engine = r.Choice("engine", Engines, LlmSettingsResolver.Offline);
            var model = r.OptionalString("model");
            var endpoints = r.StringList("endpoints", []);
            var keyVariable = r.OptionalString("api_key_env");
            var concurrency = r.Int("max_concurrency", 4, min: 1, max: 1024);
            var timeout = r.Double("timeout_seconds", 120, above: 0, max: 86_400);
            var checkTimeout = r.Double("check_timeout_seconds", 10, above: 0, max: 86_400);
            var retries = r.Int("retries", 4, min: 0, max: 100);
            var passes = r.Int("passes", 3, min: 1, max: 100);
            var breakerFailures = r.Int("breaker_failures", 5, min: 1, max: 1_000_000);
            var breakerSeconds = r.Double("breaker_seconds", 30, above: 0, max: 86_400);
            var stream = r.Bool("stream", false);
            var batch = r.Int("cache_batch_size", 200, min: 1, max: 1_000_000);
            var temperature = r.Double("temperature", 0, min: 0, max: 10);
            var maxTokens = r.Int("max_output_tokens", 64, min: 1, max: 1_000_000);
            var seed = r.Long("seed", 42);
            float? topP = r.Has("top_p") ? (float)r.Double("top_p", 1, above: 0, max: 1) : null;

            if (!engineGiven && !endpoints.IsEmpty)
                r.Fail("engine", $"missing; endpoints are configured, so choose the engine that serves them: {LlmSettingsResolver.Ollama} or {LlmSettingsResolver.OpenAi}");
            if (engine == LlmSettingsResolver.OpenAi)
            {
                if (endpoints.IsEmpty) r.Fail("endpoints", "missing; engine openai needs at least one endpoint, e.g. http://127.0.0.1:8000/v1");
                if (string.IsNullOrWhiteSpace(model)) r.Fail("model", "missing; engine openai needs the model name as the server knows it");
            }
            if (engine != LlmSettingsResolver.Offline)
                foreach (var endpoint in endpoints.Where(e => !IsHttpUrl(e, engine)))
                    r.Fail("endpoints", $"'{endpoint}' is not an http(s) URL (e.g. http://127.0.0.1:11434 for ollama, http://gpu-1:8000/v1 for openai)");

            var generation = new GenerationConfig((float)temperature, maxTokens, seed, topP);
            var resolvedModel = engine switch
            {
                LlmSettingsResolver.Offline => OfflineIntentEngine.ModelName,
                LlmSettingsResolver.Ollama => string.IsNullOrWhiteSpace(model) ? LlmSettingsResolver.DefaultOllamaModel : model.Trim(),
                _ => model?.Trim() ?? "",
            };
            var offline = engine == LlmSettingsResolver.Offline;
            var config = new InferConfig(engine, resolvedModel, offline ? null : generation, AnswerCleaner.Version, OfflineIntentEngine.ModelName);
            var settings = new LlmSettings
            {
                Engine = engine,
                Model = offline ? null : resolvedModel,
                Endpoints = offline ? [] : endpoints,
                ApiKeyEnv = keyVariable,
                MaxConcurrency = concurrency,
                RequestTimeout = TimeSpan.FromSeconds(timeout),
                CheckTimeout = TimeSpan.FromSeconds(checkTimeout),
                MaxRetries = retries,
                Passes = passes,
                BreakerFailures = breakerFailures,
                BreakerDuration = TimeSpan.FromSeconds(breakerSeconds),
                Stream = stream,
                CacheBatchSize = batch,
                Generation = generation.ToOptions(),
            };
            return new LlmSetup(config, settings);
        });

    // Ollama accepts what OLLAMA_HOST accepts (host, host:port or a URL); OpenAI-compatible servers need a URL.
    static bool IsHttpUrl(string text, string engine)
    {
        var withScheme = engine == LlmSettingsResolver.Ollama && !text.Contains("://", StringComparison.Ordinal) ? "http://" + text : text;
        return Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.Host.Length > 0;
    }
}

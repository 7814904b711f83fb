using static LanguageExt.Prelude;
using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;

namespace Llm4Sbr.Inference.Llm;

public static class LlmSettingsResolver
{
    public const string Offline = "offline";
    public const string Ollama = "ollama";
    public const string OpenAi = "openai";
    public const string ValidEngines = "offline, ollama, openai";

    /// <summary>A good current default; the paper used <c>qwen:7b-chat</c> (Qwen 1), also pullable from Ollama.</summary>
    public const string DefaultOllamaModel = "qwen2.5:7b";
    public const string PaperModel = "qwen:7b-chat";
    public const string OllamaHostVariable = "OLLAMA_HOST";
    public const int DefaultOllamaPort = 11434;

    /// <summary>Validates <paramref name="settings"/> and resolves defaults; <paramref name="environment"/>
    /// reads environment variables (pass <see cref="Environment.GetEnvironmentVariable(string)"/>).</summary>
    public static Fin<ResolvedLlmSettings> Resolve(LlmSettings settings, Func<string, string?> environment)
    {
        var numbers = CheckNumbers(settings);
        if (numbers is not null) return Error.New(numbers);

        var engine = settings.Engine?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(engine))
        {
            if (!settings.Endpoints.IsDefaultOrEmpty)
                return Error.New($"LLM endpoints are configured but no engine is chosen; choose one of: {Ollama}, {OpenAi} (--llm)");
            engine = Offline;
        }

        switch (engine)
        {
            case Offline:
                return new ResolvedLlmSettings(LlmEngineKind.Offline, Offline, Offline, [], null, settings);

            case Ollama:
            {
                var raw = settings.Endpoints.IsDefaultOrEmpty
                    ? [environment(OllamaHostVariable) is { Length: > 0 } host ? host : $"http://127.0.0.1:{DefaultOllamaPort}"]
                    : settings.Endpoints;
                var model = string.IsNullOrWhiteSpace(settings.Model) ? DefaultOllamaModel : settings.Model.Trim();
                return ParseAll(raw, OllamaUri).Map(endpoints => new ResolvedLlmSettings(LlmEngineKind.Ollama, Ollama, model, endpoints, null, settings));
            }

            case OpenAi:
            {
                if (settings.Endpoints.IsDefaultOrEmpty)
                    return Error.New("engine openai needs at least one endpoint, e.g. --llm-endpoint http://127.0.0.1:8000/v1");
                if (string.IsNullOrWhiteSpace(settings.Model))
                    return Error.New("engine openai needs a model name (--llm-model), as the server knows it");
                return from endpoints in ParseAll(settings.Endpoints, OpenAiUri)
                       from key in ApiKeyOf(settings, environment)
                       select new ResolvedLlmSettings(LlmEngineKind.OpenAi, OpenAi, settings.Model.Trim(), endpoints, key.MatchUnsafe(k => k, () => null), settings);
            }

            default:
                return Error.New($"LLM engine '{settings.Engine}' is not valid; valid: {ValidEngines}");
        }
    }

    /// <summary>The API key named by <c>api_key_env</c>; none when no variable is named (Fin holds no null).</summary>
    private static Fin<Option<ApiKey>> ApiKeyOf(LlmSettings settings, Func<string, string?> environment)
    {
        if (string.IsNullOrWhiteSpace(settings.ApiKeyEnv)) return FinSucc(Option<ApiKey>.None);
        var value = environment(settings.ApiKeyEnv);
        return string.IsNullOrEmpty(value)
            ? FinFail<Option<ApiKey>>(Error.New($"the API key variable {settings.ApiKeyEnv} (api_key_env) is not set in the environment"))
            : FinSucc(Some(new ApiKey(value)));
    }

    private static string? CheckNumbers(LlmSettings s) =>
        s.MaxConcurrency < 1 ? $"max_concurrency must be >= 1 (got {s.MaxConcurrency})"
        : s.RequestTimeout <= TimeSpan.Zero ? $"request_timeout must be positive (got {s.RequestTimeout})"
        : s.CheckTimeout <= TimeSpan.Zero ? $"check_timeout must be positive (got {s.CheckTimeout})"
        : s.MaxRetries < 0 ? $"max_retries must be >= 0 (got {s.MaxRetries})"
        : s.Passes < 1 ? $"passes must be >= 1 (got {s.Passes})"
        : s.BreakerFailures < 1 ? $"breaker_failures must be >= 1 (got {s.BreakerFailures})"
        : s.BreakerDuration <= TimeSpan.Zero ? $"breaker_duration must be positive (got {s.BreakerDuration})"
        : s.RetryBaseDelay < TimeSpan.Zero || s.RetryMaxDelay < s.RetryBaseDelay ? $"retry delays must satisfy 0 <= base <= max (got {s.RetryBaseDelay}, {s.RetryMaxDelay})"
        : s.CacheBatchSize < 1 ? $"cache_batch_size must be >= 1 (got {s.CacheBatchSize})"
        : s.CacheFlushInterval <= TimeSpan.Zero ? $"cache_flush_interval must be positive (got {s.CacheFlushInterval})"
        : s.Generation.MaxOutputTokens < 1 ? $"max_output_tokens must be >= 1 (got {s.Generation.MaxOutputTokens})"
        : null;

    private static Fin<ImmutableArray<Uri>> ParseAll(IEnumerable<string> raw, Func<string, Uri?> parse)
    {
        var result = ImmutableArray.CreateBuilder<Uri>();
        foreach (var text in raw)
        {
            var uri = parse(text.Trim());
            if (uri is null)
                return Error.New($"LLM endpoint '{text}' is not a valid http(s) URL (e.g. http://127.0.0.1:11434 or http://gpu-1:8000/v1)");
            if (!result.Contains(uri)) result.Add(uri);
        }
        return result.ToImmutable();
    }

    /// <summary>Accepts what <c>OLLAMA_HOST</c> accepts: <c>host</c>, <c>host:port</c>, or a URL; no port means 11434;
    /// 0.0.0.0 (a bind address) means this machine.</summary>
    internal static Uri? OllamaUri(string text)
    {
        if (text.Length == 0) return null;
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return null;
        var builder = new UriBuilder(uri);
        if (!HasExplicitPort(withScheme)) builder.Port = DefaultOllamaPort;
        if (builder.Host == "0.0.0.0") builder.Host = "127.0.0.1";
        if (!builder.Path.EndsWith('/')) builder.Path += "/";
        return builder.Uri;
    }

    /// <summary>A bare <c>http://host:port</c> gets <c>/v1</c>, the path OpenAI-compatible servers serve.</summary>
    internal static Uri? OpenAiUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return null;
        var builder = new UriBuilder(uri);
        if (builder.Path is "" or "/") builder.Path = "/v1";
        builder.Path = builder.Path.TrimEnd('/');
        return builder.Uri;
    }

    private static bool HasExplicitPort(string url)
    {
        var afterScheme = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var authority = afterScheme.Split('/', 2)[0];
        var hostEnd = authority.StartsWith('[') ? authority.IndexOf(']') : 0;
        return authority.IndexOf(':', Math.Max(hostEnd, 0)) >= 0;
    }
}

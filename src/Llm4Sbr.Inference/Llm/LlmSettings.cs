using System.Collections.Immutable;
using System.Globalization;

namespace Llm4Sbr.Inference.Llm;

/// <summary>Sampling options sent with every request; part of the response cache key.
/// Defaults favour reproducible short answers: temperature 0, a fixed seed, at most 64 output tokens.</summary>
public sealed record GenerationOptions
{
    public float Temperature { get; init; }
    public int MaxOutputTokens { get; init; } = 64;
    public long? Seed { get; init; } = 42;
    public float? TopP { get; init; }

    /// <summary>Canonical text of the options, as stored in the cache key.</summary>
    public string Fingerprint() => string.Create(CultureInfo.InvariantCulture,
        $"temperature={Temperature:R};max_output_tokens={MaxOutputTokens};seed={Seed?.ToString(CultureInfo.InvariantCulture) ?? "none"};top_p={TopP?.ToString("R", CultureInfo.InvariantCulture) ?? "none"}");
}

/// <summary>LLM configuration as the pipeline file and the CLI give it (<c>--llm</c>, <c>--llm-model</c>,
/// <c>--llm-endpoint</c> repeatable). Resolve with <see cref="LlmSettingsResolver.Resolve"/>.</summary>
public sealed record LlmSettings
{
    /// <summary><c>offline</c>, <c>ollama</c> or <c>openai</c>; null: <c>offline</c> when no endpoint is configured.</summary>
    public string? Engine { get; init; }

    /// <summary>Model name; ollama defaults to <see cref="LlmSettingsResolver.DefaultOllamaModel"/>, openai requires one.</summary>
    public string? Model { get; init; }

    /// <summary>Base URLs. Ollama: <c>http://host:11434</c> (default <c>OLLAMA_HOST</c>, else
    /// <c>http://127.0.0.1:11434</c>). OpenAI-compatible: <c>http://host:8000/v1</c> (<c>/v1</c> is added
    /// when the URL has no path). Requests spread across all of them.</summary>
    public ImmutableArray<string> Endpoints { get; init; } = [];

    /// <summary>Name of the environment variable holding the API key (openai only). The key itself is never
    /// configured, logged or written.</summary>
    public string? ApiKeyEnv { get; init; }

    /// <summary>Requests in flight at once, over all endpoints together.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Limit for one attempt (a 7B model on a busy GPU can need tens of seconds).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Limit for an endpoint's check before the run (Ollama: listing its models); an endpoint that
    /// does not answer within it is set aside for the run with a warning.</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, on transient failures only (5xx, 429, 408, timeouts, refused or reset connections).</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>Rounds over the prompts: a prompt whose attempts all failed transiently goes back to the end
    /// of the queue for the next pass (with fresh retries) while the rest proceeds; after the last pass it
    /// is unanswered and the run fails, keeping every reply.</summary>
    public int Passes { get; init; } = 3;

    /// <summary>Consecutive transient failures of one endpoint that open its circuit.</summary>
    public int BreakerFailures { get; init; } = 5;

    /// <summary>How long an open circuit keeps requests off its endpoint; then one trial request is let
    /// through, which closes it on success and opens it again on failure.</summary>
    public TimeSpan BreakerDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Exponential backoff with jitter: roughly base, 2 base, 4 base ... capped at <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Seed of the jitter's random numbers.</summary>
    public int JitterSeed { get; init; } = 1;

    /// <summary>An endpoint that just failed transiently is skipped this long while another is available.</summary>
    public TimeSpan EndpointCooldown { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Ask for a streamed reply (Ollama NDJSON, OpenAI server-sent events) and join the pieces.</summary>
    public bool Stream { get; init; }

    public GenerationOptions Generation { get; init; } = new();

    /// <summary>Replies are persisted every <see cref="CacheBatchSize"/> replies or <see cref="CacheFlushInterval"/>, whichever comes first.</summary>
    public int CacheBatchSize { get; init; } = 200;

    public TimeSpan CacheFlushInterval { get; init; } = TimeSpan.FromSeconds(5);
}

public enum LlmEngineKind { Offline, Ollama, OpenAi }

/// <summary>An API key read from the environment. <see cref="ToString"/> never shows it.</summary>
public sealed class ApiKey(string value)
{
    internal string Value { get; } = value;
    public override string ToString() => "(hidden)";
}

/// <summary>Settings after validation and environment lookup.</summary>
public sealed record ResolvedLlmSettings(
    LlmEngineKind Kind,
    string EngineName,
    string Model,
    ImmutableArray<Uri> Endpoints,
    ApiKey? Key,
    LlmSettings Settings);

using LanguageExt;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Inference.Encoding;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Stages.Intent;

/// <summary>The effects the intent stages reach, supplied at the edge (the CLI, a host, a test).
/// <list type="bullet">
/// <item><see cref="CacheRoot"/>: the folder above the stage cache's <c>entries/</c>; the intent stages
/// keep their own caches beside it: <c>llm/</c> (LLM replies) and <c>embeddings/</c> (text
/// embeddings by model and text hash). Null: <c>LLM4SBR_CACHE</c>, else <c>.cache/</c> under the
/// repository root, the CLI's default for the stage cache.</item>
/// <item><see cref="Environment"/>: reads environment variables (<c>OLLAMA_HOST</c>, the API key variable).</item>
/// <item><see cref="CreateEncoder"/>: builds the ONNX text encoder (the real one by default).</item>
/// <item><see cref="Time"/>: the clock of the LLM engines' timeouts, backoff and cache flushes.</item>
/// </list></summary>
public sealed record IntentServices
{
    public const string CacheVariable = "LLM4SBR_CACHE";
    public const string LlmCacheFolder = "llm";
    public const string EmbeddingCacheFolder = "embeddings";

    public static IntentServices Default { get; } = new();

    public string? CacheRoot { get; init; }
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
    public Func<EncoderOptions, ILogger, Fin<ITextEncoder>> CreateEncoder { get; init; } = TextEncoderFactory.Create;
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The cache root for a pipeline, as an absolute path (a relative one is taken from the
    /// working directory, as the CLI takes <c>--cache</c> and <c>LLM4SBR_CACHE</c>).</summary>
    public string ResolveCacheRoot(PipelineContext context)
    {
        var root = CacheRoot ?? (Environment(CacheVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        return root is null ? Path.Combine(context.RepoRoot, ".cache") : Path.GetFullPath(root);
    }

    public string LlmCache(PipelineContext context) => Path.Combine(ResolveCacheRoot(context), LlmCacheFolder);
    public string EmbeddingCache(PipelineContext context) => Path.Combine(ResolveCacheRoot(context), EmbeddingCacheFolder);
}

using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Intent.Infer;

namespace Llm4Sbr.Stages.Intent;

/// <summary>The command line's LLM options as pipeline overrides, validated like the file's values
/// (an error names the option, the key and the valid choices, e.g.
/// <c>--llm: llm.engine: 'foo' is not one of offline, ollama, openai</c>).</summary>
public static class IntentOverrides
{
    public const string EngineOption = "--llm";
    public const string ModelOption = "--llm-model";
    public const string EndpointOption = "--llm-endpoint";

    /// <summary><c>--llm offline|ollama|openai</c> sets <c>llm.engine</c>, <c>--llm-model NAME</c> sets
    /// <c>llm.model</c>, <c>--llm-endpoint URL</c> (repeatable) replaces <c>llm.endpoints</c>. Null or empty:
    /// the file's value stays.</summary>
    public static PipelineOverrides Llm(this PipelineOverrides overrides, string? engine, string? model, IReadOnlyList<string>? endpoints)
    {
        var result = overrides;
        if (!string.IsNullOrEmpty(engine)) result = result.Set($"{LlmSection.Name}.engine", engine, EngineOption);
        if (!string.IsNullOrEmpty(model)) result = result.Set($"{LlmSection.Name}.model", model, ModelOption);
        if (endpoints is { Count: > 0 }) result = result.SetList($"{LlmSection.Name}.endpoints", endpoints, EndpointOption);
        return result;
    }
}

using System.Collections.Immutable;
using Llm4Sbr.Core.Prompts;

namespace Llm4Sbr.Stages.Intent.Prompts;

/// <summary>The <c>prompts</c> stage's output: the views (with their offline rules, which the
/// <c>infer</c> stage's offline engine follows) and one prompt per sample (train, then test, in
/// sample order) per view (in view order).</summary>
public sealed record PromptSet(ImmutableArray<ViewSpec> Views, ImmutableArray<PromptRecord> Prompts)
{
    public ImmutableArray<string> ViewNames => [.. Views.Select(v => v.Name)];
}

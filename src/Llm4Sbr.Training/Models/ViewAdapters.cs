using System.Collections.Immutable;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>LLM4SBR's view adapters, one per view, registered under the view's name (state-dict keys
/// <c>views.long.*</c>, <c>views.short.*</c>, as TorchSharp's <c>ModuleDict</c> names them). Not a
/// <c>ModuleDict</c> on purpose: its two indexers are both reflected as a member named <c>Item</c>, and
/// <c>Module.to(device)</c> fails on them ("an item with the same key has already been added"), which
/// broke moving LLM4SBR to CUDA.</summary>
public sealed class ViewAdapters : nn.Module
{
    private readonly ImmutableDictionary<string, ViewAdapter> adapters;

    public ViewAdapters(IEnumerable<(string View, ViewAdapter Adapter)> views) : base(nameof(ViewAdapters))
    {
        var builder = ImmutableDictionary.CreateBuilder<string, ViewAdapter>(StringComparer.Ordinal);
        foreach (var (view, adapter) in views)
        {
            builder.Add(view, adapter);
            register_module(view, adapter);
        }
        adapters = builder.ToImmutable();
    }

    /// <summary>The adapter of <paramref name="view"/> (the model checks its views when built).</summary>
    public ViewAdapter Of(string view) => adapters[view];
}

using Llm4Sbr.Training.Graphs;
using Llm4Sbr.Training.Models;

namespace Llm4Sbr.Training.Tests.Support;

/// <summary>Models built through the registry, as the trainer builds them; a backbone that needs the
/// training-wide graphs gets <see cref="TinyGraphs"/> unless <paramref name="graphs"/> is given.</summary>
public static class TestModels
{
    public static SessionModel Create(string name, int itemSlots, int hidden, ulong seed = 1, int viewDim = 4, ModelParameters? parameters = null,
        ItemGraphs? graphs = null)
    {
        var spec = ModelRegistry.Find(name).Match(s => s, e => throw new InvalidOperationException(e.Message));
        var dims = spec.ViewNames.ToDictionary(v => v, _ => viewDim);
        var options = new ModelOptions(HiddenSize: hidden) { Parameters = parameters ?? ModelParameters.None };
        graphs ??= ModelRegistry.GraphsOf(spec) == GraphNeeds.None ? null : TinyGraphs.For(itemSlots - 1);
        return ModelRegistry.Create(spec, itemSlots, options, dims, seed, graphs: graphs).Match(m => m, e => throw new InvalidOperationException(e.Message));
    }
}

using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Baselines;

/// <summary>One registered baseline: its model name, a one-line description, and a factory from
/// string parameters (keys as in session-rec, e.g. <c>k</c>, <c>sample_size</c>, <c>lambda_spw</c>;
/// missing keys take the documented defaults).</summary>
public sealed record BaselineEntry(
    string Name, string Description, Func<IReadOnlyDictionary<string, string>?, Fin<IBaselineAlgorithm>> Create);

/// <summary>The model names the pipeline accepts for non-neural baselines.</summary>
public static class BaselineRegistry
{
    public static ImmutableArray<BaselineEntry> Entries { get; } =
    [
        new(Pop.AlgorithmName, "global popularity in training clicks",
            p => Pop.FromParameters(p).Map(a => (IBaselineAlgorithm)a)),
        new(SessionPop.AlgorithmName, "the session's own items first (by clicks in it), then global popularity",
            p => SessionPop.FromParameters(p).Map(a => (IBaselineAlgorithm)a)),
        new(ItemKnn.AlgorithmName, "item-to-item co-occurrence cosine from the last click",
            p => ItemKnnOptions.FromParameters(p).Map(o => (IBaselineAlgorithm)new ItemKnn(o))),
        new(Sknn.AlgorithmName, "session kNN: the k most similar training sessions vote",
            p => SknnOptions.FromParameters(p).Map(o => (IBaselineAlgorithm)new Sknn(o))),
        new(Vsknn.AlgorithmName, "vector session kNN: recent clicks of the session weigh more",
            p => VsknnOptions.FromParameters(p).Map(o => (IBaselineAlgorithm)new Vsknn(o))),
        new(Stan.AlgorithmName, "sequence and time aware neighbourhood (Garg et al. 2019)",
            p => StanOptions.FromParameters(p).Map(o => (IBaselineAlgorithm)new Stan(o))),
        new(Vstan.AlgorithmName, "STAN with V-SKNN's match decay and idf boost (Ludewig et al. 2021)",
            p => VstanOptions.FromParameters(p).Map(o => (IBaselineAlgorithm)new Vstan(o))),
    ];

    public static ImmutableArray<string> Names { get; } = [.. Entries.Select(e => e.Name)];

    /// <summary>Whether <paramref name="name"/> (case-insensitive) is a baseline model.</summary>
    public static bool Contains(string name) => Entries.Any(e => e.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The baseline called <paramref name="name"/> (case-insensitive) with
    /// <paramref name="parameters"/> over its defaults. Fails naming the valid models, or every
    /// bad parameter and the valid keys.</summary>
    public static Fin<IBaselineAlgorithm> Create(string name, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var entry = Entries.FirstOrDefault(e => e.Name.Equals(name?.Trim(), StringComparison.OrdinalIgnoreCase));
        return entry is null
            ? FinFail<IBaselineAlgorithm>(Error.New($"unknown baseline model '{name}'; valid baselines: {string.Join(", ", Names)}"))
            : entry.Create(parameters);
    }
}

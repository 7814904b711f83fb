using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Llm4Sbr.Engine.Keys;
using Llm4Sbr.Stages.Modeling.Train;

namespace Llm4Sbr.Stages.Experiments;

/// <summary>One unit of an experiment: a pipeline variant (the pipeline plus <see cref="Settings"/>,
/// pipeline keys as <c>--set</c> would give them), one model and one seed (<see cref="ModelRun.Unseeded"/>
/// for deterministic models, which run once whatever the seed count). It runs as
/// <c>llm4sbr run PIPELINE --set ... --models MODEL</c> with <c>training.seeds: [TrainingSeed]</c>, so
/// its stages are memoized like any run's: a cell whose stage keys are cached recomputes nothing.</summary>
public sealed record ExperimentCell(
    string Pipeline,
    ImmutableSortedDictionary<string, string> Settings,
    string Variant,
    string Model,
    long Seed,
    long TrainingSeed)
{
    public bool Deterministic => Seed == ModelRun.Unseeded;

    /// <summary>The cell's identity: SHA-256 of the canonical JSON of pipeline, settings, model and seed.
    /// It changes exactly when one of them does (the variant's name is derived from the settings).
    /// Whether the cell must compute is decided by its stages' memo keys, which also cover the
    /// pipeline file's content and the data.</summary>
    public string Key
    {
        get
        {
            var json = CanonicalJson.Canonicalize(new JsonObject
            {
                ["pipeline"] = Pipeline,
                ["settings"] = new JsonObject(Settings.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
                ["model"] = Model,
                ["seed"] = Seed,
            });
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        }
    }

    public string Describe() =>
        $"{Model}{(Deterministic ? "" : $" seed {Seed}")}{(Variant.Length == 0 ? "" : $" {Variant}")}";
}

/// <summary>Expands a plan into its cells. Seeds: seed i (i = 0 .. N-1) of a neural model is
/// <c>s0 + i</c>, where s0 is the pipeline's training seed (the first of <c>training.seeds</c>, 42 by
/// default): the rule <c>training.seeds: N</c> already follows, so one experiment seed equals the plain
/// run's. Baselines and <c>llm-infer</c> are deterministic: one cell each, trained with s0.</summary>
public static class ExperimentCells
{
    public static long SeedOf(long trainingSeed, int index) => trainingSeed + index;

    /// <param name="settings">The pipeline keys every cell sets, in order (a later one wins): the plan's
    /// <c>set</c>, then the command line's <c>--set</c>; the sweep's key comes last.</param>
    public static ImmutableArray<ExperimentCell> Expand(string pipeline, ExperimentPlan plan, IEnumerable<KeyValuePair<string, string>> settings,
        long trainingSeed, int seeds)
    {
        var common = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, Last(settings));
        var variants = plan.Sweep is { } sweep
            ? [.. sweep.Values.Select(v => (Name: $"{sweep.Key}={v}", Settings: common.SetItem(sweep.Key, v)))]
            : ImmutableArray.Create((Name: "", Settings: common));
        var cells = ImmutableArray.CreateBuilder<ExperimentCell>();
        foreach (var (name, variantSettings) in variants)
            foreach (var model in plan.Models)
            {
                if (IsDeterministic(model))
                    cells.Add(new ExperimentCell(pipeline, variantSettings, name, model, ModelRun.Unseeded, trainingSeed));
                else
                    for (var i = 0; i < seeds; i++)
                        cells.Add(new ExperimentCell(pipeline, variantSettings, name, model, SeedOf(trainingSeed, i), SeedOf(trainingSeed, i)));
            }
        return cells.ToImmutable();
    }

    public static bool IsDeterministic(string model) =>
        ModelCatalog.FamilyOf(model).Match(f => f != ModelFamily.Neural, _ => false);

    static IEnumerable<KeyValuePair<string, string>> Last(IEnumerable<KeyValuePair<string, string>> settings)
    {
        var latest = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in settings) latest[key] = value;
        return latest;
    }
}

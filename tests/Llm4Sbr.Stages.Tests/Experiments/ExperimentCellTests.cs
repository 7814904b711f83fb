using System.Collections.Immutable;
using CsCheck;
using Llm4Sbr.Stages.Experiments;
using Llm4Sbr.Stages.Modeling.Train;

namespace Llm4Sbr.Stages.Tests.Experiments;

public sealed class ExperimentCellTests
{
    static readonly Gen<string> Word = Gen.String[Gen.Char['a', 'e'], 1, 4];
    static readonly Gen<ImmutableSortedDictionary<string, string>> Settings =
        Gen.Select(Word, Word).Array[0, 3].Select(pairs =>
        {
            var d = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in pairs) d = d.SetItem(k, v);
            return d;
        });
    static readonly Gen<ExperimentCell> Cells =
        Gen.Select(Word, Settings, Word, Gen.Long[-1, 3]).Select((p, s, m, seed) => new ExperimentCell(p, s, "", m, seed, 42));

    /// <summary>Two cells have the same key exactly when pipeline, settings, model and seed are equal.</summary>
    [Fact]
    public void A_cells_key_changes_exactly_when_one_of_its_inputs_does()
    {
        Gen.Select(Cells, Cells).CheckFixed((a, b) =>
        {
            var same = a.Pipeline == b.Pipeline && a.Model == b.Model && a.Seed == b.Seed && a.Settings.SequenceEqual(b.Settings);
            Assert.Equal(same, a.Key == b.Key);
        }, iter: 300);
    }

    [Fact]
    public void A_cells_key_ignores_the_order_settings_were_given_in_and_changes_with_one_setting()
    {
        var a = new ExperimentCell("p", ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("x", "1"), KeyValuePair.Create("y", "2")]), "", "srgnn", 42, 42);
        var b = a with { Settings = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("y", "2"), KeyValuePair.Create("x", "1")]) };
        Assert.Equal(a.Key, b.Key);
        Assert.NotEqual(a.Key, (a with { Settings = a.Settings.SetItem("y", "3") }).Key);
        Assert.Equal(64, a.Key.Length);
    }

    static ExperimentPlan Plan(Sweep? sweep = null, params string[] models) =>
        new("p", "P", null, [.. models], ImmutableSortedDictionary<string, string>.Empty, [], sweep, PlanFile.DefaultMetrics,
            new FigureSpec(FigureKind.BarsByMetric, PlanFile.DefaultMetrics), null, 1, "p.yaml");

    [Fact]
    public void Seed_i_of_n_is_the_training_seed_plus_i_and_deterministic_models_get_one_cell()
    {
        var cells = ExperimentCells.Expand("ml", Plan(null, "pop", "llm-infer", "srgnn"), [], trainingSeed: 7, seeds: 3);
        Assert.Equal([("pop", ModelRun.Unseeded), ("llm-infer", ModelRun.Unseeded), ("srgnn", 7L), ("srgnn", 8L), ("srgnn", 9L)],
            cells.Select(c => (c.Model, c.Seed)));
        Assert.All(cells.Where(c => c.Deterministic), c => Assert.Equal(7, c.TrainingSeed));
        // One more seed adds exactly one cell and keeps every other cell's key.
        var more = ExperimentCells.Expand("ml", Plan(null, "pop", "llm-infer", "srgnn"), [], 7, 4);
        Assert.Equal(cells.Select(c => c.Key), more.Take(cells.Length).Select(c => c.Key));
        Assert.Equal(("srgnn", 10L), (more[^1].Model, more[^1].Seed));
    }

    [Fact]
    public void A_sweep_makes_one_variant_per_value_whose_setting_comes_last()
    {
        var cells = ExperimentCells.Expand("ml", Plan(new Sweep("localize.k", ["0", "5"], "k"), "llm4sbr-srgnn"),
            [KeyValuePair.Create("localize.k", "3"), KeyValuePair.Create("training.epochs", "2")], 42, 1);
        Assert.Equal(["localize.k=0", "localize.k=5"], cells.Select(c => c.Variant));
        Assert.Equal(["0", "5"], cells.Select(c => c.Settings["localize.k"]));
        Assert.All(cells, c => Assert.Equal("2", c.Settings["training.epochs"]));
    }
}

using System.Collections.Immutable;
using Llm4Sbr.Training.Benchmarks;
using Llm4Sbr.Training.Fitting;
using Llm4Sbr.Training.Graphs;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>GCE-GNN's <c>readout_init</c>: <c>positive</c> is the official draw with w_2 negated exactly
/// when the initial click weight w_2' sigmoid(b_glu1) is not positive; the official draw warns of such
/// a start; and the key stays out of fit keys at its default, so fits made before it existed stand.</summary>
public class GceGnnReadoutInitTests
{
    const int Items = TinyBatches.Items;
    const int Hidden = 16;

    static SessionModel Create(string name, ulong seed, string readoutInit)
    {
        var spec = ModelRegistry.Find(name).Match(s => s, e => throw new Exception(e.Message));
        var parameters = ModelRegistry.ParametersOf(spec).Resolve(new Dictionary<string, string> { ["readout_init"] = readoutInit });
        return TestModels.Create(name, Items + 1, Hidden, seed, parameters: parameters);
    }

    static string OutputOf(string name) =>
        ModelRegistry.ParametersOf(ModelRegistry.Find(name).Match(s => s, e => throw new Exception(e.Message))).Resolve(new Dictionary<string, string>()).Choice("output");

    static double ClickWeight(SessionModel model)
    {
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        using var _ = no_grad();
        using var weight = sigmoid(p["backbone.glu1.bias"]).matmul(p["backbone.w_2"]);
        return weight.item<float>();
    }

    [Theory]
    [InlineData("gcegnn")]
    [InlineData("llm4sbr-gcegnn")]
    public void Positive_negates_w2_exactly_when_the_official_start_weighs_clicks_at_or_below_zero(string name)
    {
        int negated = 0, kept = 0;
        for (ulong seed = 1; seed <= 12; seed++)
        {
            using var official = Create(name, seed, "official");
            using var positive = Create(name, seed, "positive");
            double weight = ClickWeight(official);
            bool flip = weight <= 0;
            if (flip) negated++; else kept++;
            var expected = official.named_parameters().ToDictionary(x => x.name, x => x.parameter);
            foreach (var (key, value) in positive.named_parameters())
            {
                using var want = flip && key == "backbone.w_2" ? -expected[key] : expected[key].alias();
                Assert.True(value.equal(want).all().item<bool>(), $"{name} seed {seed}: {key} is not the official draw{(flip && key == "backbone.w_2" ? " negated" : "")}");
            }
            Assert.True(ClickWeight(positive) > 0, $"{name} seed {seed}: the positive start weighs clicks by {ClickWeight(positive)}");
            // Only the readout-alone output warns: with concat, W [S; h_last] absorbs the sign.
            Assert.Equal(flip && OutputOf(name) == "readout" ? 1 : 0, official.InitialisationWarnings.Count);
            Assert.Empty(positive.InitialisationWarnings);
        }
        // Both cases were met, so both branches were checked.
        Assert.True(negated > 0 && kept > 0, $"seeds 1-12 gave {negated} negated and {kept} kept starts");
    }

    [Fact]
    public void The_official_start_warns_with_its_weight_and_the_remedy()
    {
        var seed = Enumerable.Range(1, 20).Select(s => (ulong)s).First(s => { using var m = Create("gcegnn", s, "official"); return ClickWeight(m) <= 0; });
        using var model = Create("gcegnn", seed, "official");
        var warning = Assert.Single(model.InitialisationWarnings);
        Assert.Contains(ClickWeight(model).ToString("F3"), warning);
        Assert.Contains("readout_init: positive", warning);
    }

    [Fact]
    public void Readout_init_is_left_out_of_the_fit_key_at_its_default_only()
    {
        var schema = ModelRegistry.ParametersOf(ModelRegistry.Find("gcegnn").Match(s => s, e => throw new Exception(e.Message)));
        var defaults = schema.Resolve(new Dictionary<string, string>());
        Assert.Equal("official", defaults.Choice("readout_init"));
        Assert.Contains("readout_init=official", defaults.ToString());
        // The key text of a default GCE-GNN is what it was before the parameter existed.
        Assert.Equal("alpha=0.2,dropout_gcn=0,dropout_global=0.5,dropout_local=0,hidden=100,hops=1,output=readout,positions=200", defaults.KeyText);
        var positive = schema.Resolve(new Dictionary<string, string> { ["readout_init"] = "positive" });
        Assert.Contains("readout_init=positive", positive.KeyText);
        Assert.NotEqual(defaults.KeyText, positive.KeyText);
        // Keys keyed at their default are all in the key text.
        var srgnn = ModelRegistry.ParametersOf(ModelRegistry.Find("srgnn").Match(s => s, e => throw new Exception(e.Message))).Resolve(new Dictionary<string, string>());
        Assert.Equal(srgnn.ToString(), srgnn.KeyText);
    }

    [Fact]
    public void The_trainer_logs_a_non_positive_start_as_a_warning_and_no_other()
    {
        var slice = BeautySlice.Load();
        var data = BeautySlice.Data(slice) with { Graphs = TrainingBenchmark.Graphs(slice.Train, new GraphsOptions(new GlobalGraphOptions(), false)) };
        var spec = ModelRegistry.Find("gcegnn").Match(s => s, e => throw new Exception(e.Message));
        var graphs = data.Graphs!.ForVocabulary(data.Vocabulary).Match(g => g, e => throw new Exception(e.Message));
        bool Warns(ulong seed)
        {
            using var m = ModelRegistry.Create(spec, data.Vocabulary.Size, new ModelOptions(), ImmutableSortedDictionary<string, int>.Empty, seed, graphs: graphs)
                .Match(x => x, e => throw new Exception(e.Message));
            return m.InitialisationWarnings.Count > 0;
        }
        var seeds = Enumerable.Range(1, 20).Select(s => (ulong)s).ToArray();
        ulong bad = seeds.First(Warns), good = seeds.First(s => !Warns(s));
        foreach (var (seed, warns) in new[] { (bad, true), (good, false) })
        {
            var logger = new ListLogger();
            var options = new TrainerOptions { Epochs = 1, Device = DeviceChoice.Cpu, Seed = seed, Patience = 1 };
            Trainer.Train("gcegnn", data, new ModelOptions(), options, logger).Match(o => o, e => throw new Exception(e.Message)).Model.Dispose();
            var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToArray();
            if (warns) Assert.Contains(warnings, w => w.Contains("gcegnn") && w.Contains("readout_init: positive"));
            else Assert.Empty(warnings);
        }
    }

    sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}

using Llm4Sbr.Core.Data;
using Xunit;

namespace Llm4Sbr.Baselines.Tests;

public class RegistryTests
{
    [Fact]
    public void Every_listed_name_creates_its_algorithm()
    {
        Assert.Equal(["pop", "spop", "iknn", "sknn", "vsknn", "stan", "vstan"], BaselineRegistry.Names.ToArray());
        foreach (var name in BaselineRegistry.Names)
            Assert.Equal(name, BaselineRegistry.Create(name.ToUpperInvariant()).ThrowIfFail().Name);
    }

    [Fact]
    public void An_unknown_name_is_an_error_naming_the_valid_ones()
    {
        var error = BaselineRegistry.Create("gru4rec").Match(_ => "", e => e.Message);
        Assert.Contains("gru4rec", error);
        Assert.Contains("pop, spop, iknn, sknn, vsknn, stan, vstan", error);
        Assert.False(BaselineRegistry.Contains("gru4rec"));
        Assert.True(BaselineRegistry.Contains("VSTAN"));
    }

    [Fact]
    public void Parameters_override_the_defaults()
    {
        var algorithm = BaselineRegistry.Create("vstan", new Dictionary<string, string>
        {
            ["k"] = "50", ["Lambda_SNH"] = "inf", ["sampling"] = "random", ["remind"] = "false",
        }).ThrowIfFail();
        var options = Assert.IsType<Vstan>(algorithm).Options;
        Assert.Equal(VstanOptions.Default with { K = 50, LambdaSnh = double.PositiveInfinity, Sampling = CandidateSampling.Random, Remind = false }, options);
        Assert.Contains("K = 50", algorithm.Fingerprint);
    }

    [Fact]
    public void Bad_parameters_are_reported_together_with_the_valid_keys()
    {
        var error = BaselineRegistry.Create("sknn", new Dictionary<string, string>
        {
            ["k"] = "many", ["neighbors"] = "5", ["sampling"] = "oldest",
        }).Match(_ => "", e => e.Message);
        Assert.Contains("'k' = 'many' is not an integer", error);
        Assert.Contains("'sampling' = 'oldest' is not one of recent, random", error);
        Assert.Contains("unknown parameter 'neighbors'; valid parameters: k, sample_size, sampling, seed, similarity, remind", error);
        Assert.Contains("unknown parameter 'k'; valid parameters: none",
            BaselineRegistry.Create("pop", new Dictionary<string, string> { ["k"] = "1" }).Match(_ => "", e => e.Message));
    }

    [Fact]
    public void Out_of_range_values_are_rejected()
    {
        var error = BaselineRegistry.Create("stan", new Dictionary<string, string> { ["k"] = "0", ["lambda_inh"] = "-1" })
            .Match(_ => "", e => e.Message);
        Assert.Contains("k must be at least 1, got 0", error);
        Assert.Contains("lambda_inh must be positive, got -1", error);
        Assert.True(new ItemKnnOptions(Alpha: 2).Validate().IsFail);
    }

    [Fact]
    public void Training_sessions_name_the_session_and_item_the_vocabulary_lacks()
    {
        var vocabulary = ItemVocabulary.FromIds([10, 20]);
        var error = TrainingSessions.FromSessions([new Session(4, 40, 0, [10, 30])], vocabulary).Match(_ => "", e => e.Message);
        Assert.Contains("training session 4", error);
        Assert.Contains("click 2: item 30", error);
        Assert.True(TrainingSessions.FromDense([[1, 3]], 3).IsFail);
    }
}

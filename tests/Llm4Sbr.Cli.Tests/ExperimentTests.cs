using System.Text.Json;
using System.Text.RegularExpressions;

namespace Llm4Sbr.Cli.Tests;

/// <summary><c>llm4sbr experiment</c> end to end, in-process, on the bundled MovieLens small data with the
/// product's stages: POP and one epoch of SR-GNN, so that it stays quick.</summary>
public sealed class ExperimentTests : IDisposable
{
    readonly CliRunner _cli = new();
    public void Dispose() => _cli.Dispose();

    const string Plan = """
        name: tiny
        title: "Tiny: POP vs SR-GNN"
        models: [pop, srgnn]
        set: {training.epochs: 1}
        metrics: [p@20, mrr@20]
        """;

    async Task<CliRunner.Result> ExperimentAsync(params string[] extra)
    {
        var plan = Path.Combine(_cli.Scratch, "tiny.yaml");
        if (!File.Exists(plan)) File.WriteAllText(plan, Plan);
        var pipeline = File.Exists(Path.Combine(_cli.Scratch, "pipelines", "movielens-small.yaml"))
            ? Path.Combine(_cli.Scratch, "pipelines", "movielens-small.yaml") : _cli.DataOnlyCopy("movielens-small");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = new CliHost(output, error, CliRunner.RepoRoot, _ => null, OutputIsTerminal: false, ApplicationDirectory: null);
        var code = await CliApp.RunAsync(["experiment", pipeline, "--plan", plan, "--cache", _cli.Cache, "--out", _cli.Runs, "--json", .. extra],
            host, StageCatalogs.Product());
        return new CliRunner.Result(code, output.ToString(), error.ToString());
    }

    static (string Model, long Seed, bool Cached)[] Cells(JsonElement json) =>
        [.. json.GetProperty("cells").EnumerateArray().Select(c => (c.GetProperty("model").GetString()!, c.GetProperty("seed").GetInt64(), c.GetProperty("cached").GetBoolean()))];

    [Fact]
    public async Task A_rerun_reports_every_cell_cached_and_another_seed_computes_only_its_cell()
    {
        var first = await ExperimentAsync();
        Assert.True(first.Code == 0, first.Error);
        Assert.Equal([("pop", -1L, false), ("srgnn", 42L, false)], Cells(first.Json()));
        var files = first.Json().GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Equal([Path.Combine(_cli.Runs, "experiments", "tiny", "report.md"), Path.Combine(_cli.Runs, "experiments", "tiny", "tiny.png")], files);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(files[1]).Take(4));
        var report = File.ReadAllText(files[0]);
        Assert.Contains("# Tiny: POP vs SR-GNN", report);
        Assert.Contains("**Views (LLM):** none", report);
        Assert.Contains("[1/2] pop", first.Error); // progress on standard error
        Assert.Contains(first.ErrorLines, l => Regex.IsMatch(l, @"^    \d\d:\d\d:\d\d train: computed in \d+\.\d s$")); // its stages, under the cell

        var second = await ExperimentAsync();
        Assert.Equal(0, second.Code);
        Assert.All(Cells(second.Json()), c => Assert.True(c.Cached, c.Model));
        Assert.Equal(first.Json().GetProperty("cells")[1].GetProperty("metrics").GetProperty("mrr@20").GetDouble(),
            second.Json().GetProperty("cells")[1].GetProperty("metrics").GetProperty("mrr@20").GetDouble());
        Assert.Contains("2 cells, 0 computed, 2 cached", second.Error);
        var quiet = await ExperimentAsync("--progress", "none");
        Assert.Equal(0, quiet.Code);
        Assert.StartsWith("experiment tiny: 2 cells, 0 computed, 2 cached", Assert.Single(quiet.ErrorLines)); // the summary only

        var seeds = await ExperimentAsync("--seeds", "2");
        Assert.Equal(0, seeds.Code);
        Assert.Equal([("pop", -1L, true), ("srgnn", 42L, true), ("srgnn", 43L, false)], Cells(seeds.Json()));
        var srgnn = seeds.Json().GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == "srgnn");
        Assert.Equal([42L, 43L], srgnn.GetProperty("seeds").EnumerateArray().Select(s => s.GetInt64()));
    }

    [Fact]
    public async Task An_unknown_model_in_a_plan_is_a_usage_error_naming_the_file_and_line()
    {
        File.WriteAllText(Path.Combine(_cli.Scratch, "tiny.yaml"), "models:\n  - pop\n  - no-such-model\n");
        var result = await ExperimentAsync();
        Assert.Equal(ExitCodes.Invalid, result.Code);
        Assert.Contains("tiny.yaml: models[1]: 'no-such-model'", result.Error);
        Assert.Contains("(line 3)", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task An_unknown_plan_name_lists_the_built_in_plans()
    {
        var result = await _cli.RawAsync(["experiment", "movielens-small", "--plan", "nope", "--cache", _cli.Cache]);
        Assert.Equal(ExitCodes.Invalid, result.Code);
        Assert.Contains("table4", result.Error);
    }
}

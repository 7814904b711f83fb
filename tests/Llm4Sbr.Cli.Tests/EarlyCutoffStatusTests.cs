using System.Text.Json;
using Llm4Sbr.Stages.Modeling.Graphs;

namespace Llm4Sbr.Cli.Tests;

/// <summary><c>status</c> and <c>run</c> on a pipeline whose <c>graphs</c> reads the content-keyed
/// <c>training-part</c>: after test sessions are added, status says graphs' key is known only after
/// training-part runs, and the run then finds graphs cached.</summary>
public sealed class EarlyCutoffStatusTests : IDisposable
{
    readonly CliRunner _cli = new();
    public void Dispose() => _cli.Dispose();

    string Data => Path.Combine(_cli.Scratch, "data");

    /// <summary>Two training sessions, then <paramref name="tests"/> test sessions: with train_fraction 0.3,
    /// floor(0.3 n) is 2 for n = 8 and 9.</summary>
    string WritePipeline(int tests)
    {
        Directory.CreateDirectory(Data);
        var lines = Enumerable.Range(1, 2 + tests)
            .SelectMany(s => new[] { $"{s},{1 + s % 5},{1_700_000_000 + s * 10}", $"{s},{1 + (s + 2) % 5},{1_700_000_001 + s * 10}" });
        File.WriteAllText(Path.Combine(Data, "interactions.csv"), "session_id,item_id,timestamp\n" + string.Join('\n', lines) + "\n");
        File.WriteAllText(Path.Combine(Data, "items.csv"), "item_id,title\n" + string.Concat(Enumerable.Range(1, 5).Select(i => $"{i},Item {i}\n")));
        var pipeline = Path.Combine(_cli.Scratch, "pipelines", "cutoff.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(pipeline)!);
        File.WriteAllText(pipeline, $$"""
            dataset: {format: generic, interactions: {{Data}}/interactions.csv, items: {{Data}}/items.csv}
            split: {train_fraction: 0.3}
            """);
        return pipeline;
    }

    Task<CliRunner.Result> Cli(params string[] args) => Cli(graphsLast: true, args);

    /// <summary>The CLI over the data stages, <c>training-part</c> and <c>graphs</c>; with <paramref name="graphsLast"/>
    /// false, <c>training-part</c> is the catalogue's final stage, which does not need <c>graphs</c>.</summary>
    async Task<CliRunner.Result> Cli(bool graphsLast, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = new CliHost(output, error, CliRunner.RepoRoot, _ => null, OutputIsTerminal: false, ApplicationDirectory: null);
        var catalog = graphsLast
            ? Stages.Data.DataStageModules.Catalog().With(new TrainingPartStage(), new GraphsStage())
            : Stages.Data.DataStageModules.Catalog().With(new GraphsStage(), new TrainingPartStage());
        var code = await CliApp.RunAsync([.. args, "--cache", _cli.Cache, "--out", _cli.Runs], host, catalog);
        return new CliRunner.Result(code, output.ToString(), error.ToString());
    }

    static JsonElement Stage(JsonElement json, string name) =>
        json.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Status_says_graphs_waits_for_training_part_and_the_run_finds_graphs_cached()
    {
        var pipeline = WritePipeline(tests: 6);
        var first = await Cli("run", pipeline, "--json");
        Assert.True(first.Code == 0, first.Error);
        var graphsKey = Stage(first.Json(), "graphs").GetProperty("key").GetString();

        WritePipeline(tests: 7);
        var status = await Cli("status", pipeline, "--json");
        Assert.Equal(0, status.Code);
        var graphs = Stage(status.Json(), "graphs");
        Assert.Equal("pending", graphs.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, graphs.GetProperty("key").ValueKind);
        Assert.StartsWith("key known after training-part runs", graphs.GetProperty("detail").GetString());
        Assert.Equal("stale", Stage(status.Json(), "training-part").GetProperty("state").GetString());
        var table = await Cli("status", pipeline);
        Assert.Contains(table.Out.Split('\n'), l => l.Contains("graphs") && l.Contains("pending"));

        var second = await Cli("run", pipeline, "--json");
        Assert.True(second.Code == 0, second.Error);
        Assert.Equal("computed", Stage(second.Json(), "training-part").GetProperty("status").GetString());
        Assert.Equal("cached", Stage(second.Json(), "graphs").GetProperty("status").GetString());
        Assert.Equal(graphsKey, Stage(second.Json(), "graphs").GetProperty("key").GetString());
        var after = await Cli("status", pipeline, "--json");
        Assert.All(after.Json().GetProperty("stages").EnumerateArray(), s => Assert.Equal("cached", s.GetProperty("state").GetString()));
    }

    /// <summary><c>status</c> shows the stages <c>run</c> would run: the final stage's ancestors (not a stage
    /// nothing there reads), or <c>--until</c>'s.</summary>
    [Fact]
    public async Task Status_shows_the_stages_run_would_run()
    {
        var pipeline = WritePipeline(tests: 6);
        string[] Names(CliRunner.Result r) => [.. r.Json().GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()!)];

        var run = await Cli(graphsLast: false, "run", pipeline, "--json");
        Assert.True(run.Code == 0, run.Error);
        var status = await Cli(graphsLast: false, "status", pipeline, "--json");
        Assert.Equal(0, status.Code);
        Assert.Equal(Names(run), Names(status));
        Assert.DoesNotContain("graphs", Names(status));

        var until = await Cli(graphsLast: false, "status", pipeline, "--until", "graphs", "--json");
        Assert.Equal(0, until.Code);
        Assert.Contains("graphs", Names(until));
        Assert.DoesNotContain("split", Names(await Cli(graphsLast: false, "status", pipeline, "--until", "sessions", "--json")));
    }
}

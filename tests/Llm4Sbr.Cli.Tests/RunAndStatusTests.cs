using System.Text.Json;

namespace Llm4Sbr.Cli.Tests;

public sealed class RunAndStatusTests : IDisposable
{
    readonly CliRunner _cli = new();
    public void Dispose() => _cli.Dispose();

    static readonly string[] DataStages = ["load", "sessions", "split", "samples"];

    static (string Name, bool Cached, string Status)[] Stages(JsonElement json) =>
        [.. json.GetProperty("stages").EnumerateArray().Select(s =>
            (s.GetProperty("name").GetString()!, s.GetProperty("cached").GetBoolean(), s.GetProperty("status").GetString()!))];

    [Fact]
    public async Task A_second_run_of_an_unchanged_pipeline_reports_every_stage_cached()
    {
        var first = await _cli.RunAsync("run", "movielens-small", "--json");
        var second = await _cli.RunAsync("run", "movielens-small", "--json");

        Assert.True(first.Code == 0, first.Error);
        Assert.All(Stages(first.Json()), s => Assert.False(s.Cached));
        Assert.Equal(0, second.Code);
        var json = second.Json();
        Assert.Equal("movielens-small", json.GetProperty("pipeline").GetString());
        Assert.Equal(DataStages, Stages(json).Select(s => s.Name));
        Assert.All(Stages(json), s => Assert.True(s.Cached, s.Name));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("metrics").ValueKind);
        Assert.All(json.GetProperty("stages").EnumerateArray(), s => Assert.True(s.GetProperty("seconds").GetDouble() >= 0));
    }

    [Fact]
    public async Task Away_from_a_terminal_a_run_prints_a_timestamped_line_per_computed_stage_on_standard_error()
    {
        var first = await _cli.RunAsync("run", "movielens-small");
        Assert.True(first.Code == 0, first.Error);
        Assert.Equal(DataStages, first.ErrorLines.Select(CliRunner.ComputedStage));
        Assert.Contains("4 computed, 0 cached", first.Out);
        Assert.DoesNotContain("computed in", first.Out);                 // the lines stay off standard output

        var second = await _cli.RunAsync("run", "movielens-small");
        Assert.Equal(0, second.Code);
        Assert.Equal("", second.Error);                                  // all cached: the summary says it
    }

    [Fact]
    public async Task Json_runs_print_progress_lines_on_standard_error_and_progress_none_prints_none()
    {
        await _cli.RunAsync("run", "movielens-small", "--progress", "none");
        var forced = await _cli.RunAsync("run", "movielens-small", "--json", "--force", "split");
        Assert.Equal(0, forced.Code);
        Assert.Equal(["split", "samples"], forced.ErrorLines.Select(CliRunner.ComputedStage));
        Assert.Equal([true, true, false, false], Stages(forced.Json()).Select(s => s.Cached));

        var quiet = await _cli.RunAsync("run", "movielens-small", "--force", "load", "--progress", "none");
        Assert.Equal(0, quiet.Code);
        Assert.Equal("", quiet.Error);
        Assert.Contains("4 computed, 0 cached", quiet.Out);
    }

    [Fact]
    public async Task An_unknown_progress_style_is_a_usage_error_naming_the_valid_ones()
    {
        var result = await _cli.RunAsync("run", "movielens-small", "--progress", "bars");
        Assert.Equal(2, result.Code);
        Assert.Contains("'bars'", result.Error);
        Assert.Contains("auto", result.Error);
        Assert.Contains("lines", result.Error);
        Assert.Contains("none", result.Error);
        Assert.False(Directory.Exists(Path.Combine(_cli.Runs, "movielens-small")));
    }

    [Fact]
    public async Task Run_until_a_stage_runs_it_and_its_ancestors_only()
    {
        var result = await _cli.RunAsync("run", "movielens-small", "--until", "sessions", "--json");
        Assert.Equal(0, result.Code);
        Assert.Equal(["load", "sessions"], Stages(result.Json()).Select(s => s.Name));
    }

    [Fact]
    public async Task Force_recomputes_the_stage_and_everything_after_it()
    {
        await _cli.RunAsync("run", "movielens-small", "--json");
        var forced = await _cli.RunAsync("run", "movielens-small", "--force", "split", "--json");
        Assert.Equal(0, forced.Code);
        Assert.Equal([true, true, false, false], Stages(forced.Json()).Select(s => s.Cached));
    }

    [Fact]
    public async Task Run_leaves_each_stage_parquet_files_and_manifest_in_the_output_folder()
    {
        await _cli.RunAsync("run", "movielens-small");
        var folder = Path.Combine(_cli.Runs, "movielens-small");
        Assert.True(File.Exists(Path.Combine(folder, "samples", "samples.parquet")));
        Assert.True(File.Exists(Path.Combine(folder, "split", "split.parquet")));
        Assert.True(File.Exists(Path.Combine(folder, "load", "events.parquet")));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "samples", "manifest.json")));
        Assert.Equal("samples", manifest.RootElement.GetProperty("stage").GetString());
        Assert.Equal(412, manifest.RootElement.GetProperty("rows").GetProperty("test").GetInt32());
        Assert.True(File.Exists(Path.Combine(folder, "run.json")));
    }

    [Fact]
    public async Task Status_shows_missing_then_cached_then_stale_when_the_pipeline_changes()
    {
        var pipeline = Path.Combine(_cli.Scratch, "pipelines", "ml.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(pipeline)!);
        var yaml = CliRunner.DataSectionsOf(File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "pipelines", "movielens-small.yaml")))
            .Replace("data/movielens-small/", Path.Combine(CliRunner.RepoRoot, "data", "movielens-small") + "/");
        File.WriteAllText(pipeline, yaml);

        var before = await _cli.RunAsync("status", pipeline);
        Assert.Equal(0, before.Code);
        Assert.Equal(4, before.Out.Split('\n').Count(l => l.Contains("missing")));

        await _cli.RunAsync("run", pipeline);
        var after = await _cli.RunAsync("status", pipeline, "--json");
        Assert.All(after.Json().GetProperty("stages").EnumerateArray(), s => Assert.Equal("cached", s.GetProperty("state").GetString()));

        File.WriteAllText(pipeline, yaml.Replace("train_fraction: 0.9", "train_fraction: 0.8"));
        var changed = await _cli.RunAsync("status", pipeline, "--json");
        Assert.Equal(["cached", "cached", "stale", "stale"],
            changed.Json().GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("state").GetString()));
        Assert.Equal(64, changed.Json().GetProperty("stages")[0].GetProperty("key").GetString()!.Length);
    }

    [Fact]
    public async Task The_cache_folder_comes_from_LLM4SBR_CACHE_when_not_given()
    {
        var cache = Path.Combine(_cli.Scratch, "env-cache");
        _cli.Environment["LLM4SBR_CACHE"] = cache;
        var result = await _cli.RawAsync(["run", "movielens-small", "--until", "load", "--out", Path.Combine(_cli.Scratch, "out")]);
        Assert.Equal(0, result.Code);
        Assert.True(Directory.Exists(Path.Combine(cache, "entries")));
    }
}

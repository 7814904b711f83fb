namespace Llm4Sbr.Cli.Tests;

/// <summary>Every failure: a non-zero exit code, one line on standard error, nothing on standard output.</summary>
public sealed class FailureTests : IDisposable
{
    readonly CliRunner _cli = new();
    public void Dispose() => _cli.Dispose();

    string WritePipeline(string name, string yaml)
    {
        var path = Path.Combine(_cli.Scratch, "pipelines", name + ".yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>The bundled MovieLens small data sections, with <c>samples.mode</c> set to <paramref name="mode"/>.</summary>
    static string SmallWithSamplesMode(string mode) =>
        CliRunner.DataSectionsOf(File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "pipelines", "movielens-small.yaml"))).Replace("mode: last-item", $"mode: {mode}");

    static void AssertOneLineFailure(CliRunner.Result result, int code, string expected)
    {
        Assert.Equal(code, result.Code);
        Assert.Equal("", result.Out);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public async Task A_bad_value_in_a_pipeline_exits_2_with_one_line_naming_key_and_options()
    {
        var yaml = SmallWithSamplesMode("prefixes");
        var result = await _cli.RunAsync("prepare", WritePipeline("bad", yaml), "--json");
        AssertOneLineFailure(result, 2, "pipelines/bad.yaml: samples.mode: 'prefixes' is not one of all-prefixes, last-item");
    }

    [Fact]
    public async Task A_pipeline_outside_the_working_directory_is_named_by_its_absolute_path()
    {
        var yaml = SmallWithSamplesMode("prefixes");
        var path = WritePipeline("elsewhere", yaml); // under the scratch folder in /tmp, not under the repository
        var result = await _cli.RunAsync("prepare", path);
        AssertOneLineFailure(result, 2, $"error: {path}: samples.mode: 'prefixes' is not one of");
    }

    [Fact]
    public async Task A_byte_order_mark_inside_a_pipeline_is_shown_by_name()
    {
        var yaml = SmallWithSamplesMode("\uFEFFlast-item");
        var result = await _cli.RunAsync("prepare", WritePipeline("bom", yaml));
        AssertOneLineFailure(result, 2, "samples.mode: 'U+FEFF (byte-order mark)last-item' is not one of all-prefixes, last-item");
        Assert.DoesNotContain('\uFEFF', result.Error);
    }

    [Theory]
    [InlineData("--models", "", "--models: lists no model; valid models: pop, ")]
    [InlineData("--models", " , ", "--models: lists no model; valid models: pop, ")]
    [InlineData("--set", "samples.mode", "override 'samples.mode' is not of the form key.path=value")]
    public async Task A_malformed_override_is_a_usage_error_naming_what_is_valid(string option, string value, string expected) =>
        AssertOneLineFailure(await _cli.RunAsync("run", "movielens-small", option, value), 2, expected);

    [Fact]
    public async Task Recommend_without_its_required_run_folder_is_a_usage_error()
    {
        var result = await _cli.RawAsync(["recommend", "--items", "1,2"]);
        Assert.Equal(2, result.Code);
        Assert.Contains("--run", result.Error);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("recommend")]
    [InlineData("experiment")]
    public async Task Each_option_is_listed_once_in_a_commands_help(string command)
    {
        var help = await _cli.RawAsync([command, "--help"]);
        var options = help.Out.Split('\n').Select(l => l.TrimStart()).Where(l => l.StartsWith("--", StringComparison.Ordinal))
            .Select(l => l.Split(' ', 2)[0]).ToArray();
        Assert.Contains("--cache", options);
        Assert.Equal(options.Distinct(), options);
    }

    [Fact]
    public async Task Several_errors_in_a_pipeline_still_make_one_line()
    {
        var result = await _cli.RunAsync("run", WritePipeline("worse", "dataset: {format: csv}\nsplit: {train_fraction: 2}\nextra: 1\n"));
        AssertOneLineFailure(result, 2, "extra: unknown section");
        Assert.Contains("dataset.format: 'csv' is not one of", result.Error);
        Assert.Contains("split.train_fraction: 2 is out of range", result.Error);
    }

    [Fact]
    public async Task An_unknown_pipeline_name_lists_the_pipelines_there_are()
    {
        var result = await _cli.RunAsync("run", "movielens-smal");
        AssertOneLineFailure(result, 2, "available pipelines: amazon-beauty, movielens-1m, movielens-small");
    }

    [Fact]
    public async Task Movielens_1m_without_its_files_says_where_to_download_them_and_where_to_put_them()
    {
        var yaml = CliRunner.DataSectionsOf(File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "pipelines", "movielens-1m.yaml")));
        var result = await _cli.RunAsync("prepare", WritePipeline("movielens-1m", yaml));
        AssertOneLineFailure(result, 2, "file not found: data/ml-1m/ratings.dat. Get the dataset from https://grouplens.org/datasets/movielens/1m/ and put ratings.dat and movies.dat in data/ml-1m/");
    }

    [Fact]
    public async Task A_missing_file_set_on_the_command_line_names_the_option_not_a_line_of_the_file()
    {
        var result = await _cli.RunAsync("prepare", "movielens-small", "--set", "dataset.items=data/nothere.csv");
        AssertOneLineFailure(result, 2, "error: --set: dataset.items: file not found: data/nothere.csv");
        Assert.DoesNotContain("(line", result.Error);
    }

    [Fact]
    public async Task An_unknown_until_stage_lists_the_stages()
    {
        var result = await _cli.RunAsync("run", "movielens-small", "--until", "train");
        AssertOneLineFailure(result, 2, "--until: unknown stage 'train'; stages of this pipeline are load, sessions, split, samples");
    }

    [Fact]
    public async Task A_stage_failing_on_bad_input_exits_1_with_one_line_and_runs_nothing_after_it()
    {
        var data = Path.Combine(_cli.Scratch, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "interactions.csv"), "session_id,item_id,timestamp\n1,10,100\n1,eleven,101\n");
        File.WriteAllText(Path.Combine(data, "items.csv"), "item_id,title\n10,Ten\n");
        var pipeline = WritePipeline("broken", "dataset: {format: generic, interactions: data/interactions.csv, items: data/items.csv}\n");

        var result = await _cli.RunAsync("run", pipeline, "--json");

        Assert.Equal(1, result.Code);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: stage 'load' failed: ", line);
        Assert.Contains("interactions.csv", line);
        var json = result.Json();
        Assert.False(json.GetProperty("succeeded").GetBoolean());
        Assert.Equal(["failed", "skipped", "skipped", "skipped"],
            json.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("status").GetString()));
    }

    [Theory]
    [InlineData("", "", "stage 'sessions' failed: the dataset has no interactions")]
    [InlineData("1,10,100\n1,11,101\n2,10,200\n", "sessions: {min_length: 3}",
        "stage 'sessions' failed: no session is left: 3 events made 2 sessions, of which 2 were shorter than sessions.min_length (3)")]
    [InlineData("1,10,100\n2,11,200\n3,10,300\n", "sessions: {min_length: 1}",
        "stage 'samples' failed: no training sample: every training session is one click long")]
    [InlineData("1,10,100\n1,11,101\n2,10,200\n2,11,201\n", "split: {train_fraction: 0.4}",
        "stage 'split' failed: split.train_fraction 0.4 of 2 sessions leaves no training session")]
    public async Task Data_that_leaves_nothing_to_train_or_test_on_fails_at_its_stage_saying_what_emptied_it(string rows, string section, string expected)
    {
        var data = Path.Combine(_cli.Scratch, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "interactions.csv"), "session_id,item_id,timestamp\n" + rows);
        File.WriteAllText(Path.Combine(data, "items.csv"), "item_id,title\n10,Ten\n11,Eleven\n");
        var pipeline = WritePipeline("empty", "dataset: {format: generic, interactions: data/interactions.csv, items: data/items.csv}\n" + section + "\n");

        var result = await _cli.RunAsync("run", pipeline, "--until", "samples", "--json", "--progress", "none");

        Assert.Equal(1, result.Code);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: " + expected, line);
        Assert.False(result.Json().GetProperty("succeeded").GetBoolean());
    }
}

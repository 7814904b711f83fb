using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Data;

namespace Llm4Sbr.Stages.Tests.Data;

/// <summary>The data stages' sections of a pipeline file: their configuration, and errors that name
/// the file, the key and the line (how the engine reads a file at all: Llm4Sbr.Engine.Tests).</summary>
public sealed class PipelineFileTests
{
    // Only paths are computed from it: nothing is written there.
    readonly string _root = Path.Combine(Path.GetTempPath(), "llm4sbr-stages-tests", Guid.NewGuid().ToString("N"));

    const string Valid = """
        name: demo
        dataset:
          format: movielens-csv
          interactions: data/r.csv
          items: data/m.csv
        sessions:
          grouping: key-and-time-bucket
          bucket_seconds: 600
          min_item_support: 5
        split:
          train_fraction: 0.9
        samples:
          mode: last-item
        """;

    Validation<Error, PipelineDefinition> Parse(string yaml) =>
        PipelineLoader.Parse(yaml, PipelineSource.ForFile(Path.Combine(_root, "pipelines", "x.yaml")), DataStageModules.Catalog());

    string[] Errors(string yaml) => Parse(yaml).Match(_ => [], e => e.Select(x => x.Message).ToArray());

    [Fact]
    public void A_valid_file_builds_the_four_data_stages_with_their_configuration()
    {
        var pipeline = Parse(Valid).Match(p => p, e => throw new InvalidOperationException(e.Head.Message));
        Assert.Equal("demo", pipeline.Name);
        Assert.Equal(["load", "sessions", "split", "samples"], pipeline.Stages.Select(s => s.Name));
        Assert.Equal(new LoadConfig("demo", DatasetFormat.MovieLensCsv, "data/r.csv", "data/m.csv", false, 20), pipeline.Find("load")!.Config);
        Assert.Equal(new SessionizeOptions(SessionGrouping.KeyAndTimeBucket, 600, 5, 2), pipeline.Find("sessions")!.Config);
        Assert.Equal(new SplitOptions(0.9), pipeline.Find("split")!.Config);
        Assert.Equal(new SamplingOptions(SamplingMode.LastItem), pipeline.Find("samples")!.Config);
        var load = pipeline.Find("load")!;
        Assert.Equal(Path.Combine(_root, "data", "r.csv"), load.ExternalInputs[0].Path);
    }

    [Fact]
    public void A_bad_choice_names_the_file_the_key_path_and_the_valid_options() =>
        Assert.Equal(["pipelines/x.yaml: samples.mode: 'prefixes' is not one of all-prefixes, last-item (line 13)"],
            Errors(Valid.Replace("mode: last-item", "mode: prefixes")));

    [Fact]
    public void An_unknown_key_names_the_valid_keys() =>
        Assert.Equal(["pipelines/x.yaml: split.train_fractoin: unknown key; valid keys are train_fraction (line 11)"],
            Errors(Valid.Replace("train_fraction", "train_fractoin")));

    [Fact]
    public void An_unknown_section_names_the_valid_sections() =>
        Assert.Equal(["pipelines/x.yaml: trainig: unknown section; valid sections are name, description, dataset, sessions, split, samples (line 14)"],
            Errors(Valid + "\ntrainig: {epochs: 3}"));

    [Theory]
    [InlineData("train_fraction: 0.9", "train_fraction: abc", "split.train_fraction: 'abc' is not a number")]
    [InlineData("train_fraction: 0.9", "train_fraction: 1.5", "split.train_fraction: 1.5 is out of range; expected a number greater than 0 and less than 1")]
    [InlineData("min_item_support: 5", "min_item_support: 0", "sessions.min_item_support: 0 is out of range; expected an integer of at least 1")]
    [InlineData("min_item_support: 5", "min_item_support: [5]", "sessions.min_item_support: a list is not a single value")]
    [InlineData("format: movielens-csv", "format: csv", "dataset.format: 'csv' is not one of amazon-sessions, movielens-csv, movielens-dat, generic")]
    [InlineData("  items: data/m.csv\n", "  items: data/m.csv\n  skip_bad_lines: maybe\n", "dataset.skip_bad_lines: 'maybe' is not one of true, false")]
    [InlineData("  items: data/m.csv\n", "", "dataset.items: missing; expected the path of the items file")]
    [InlineData("grouping: key-and-time-bucket", "grouping: key", "sessions.bucket_seconds: applies only with grouping: key-and-time-bucket")]
    [InlineData("samples:\n  mode: last-item", "samples: last-item", "samples: 'last-item' is not a mapping of keys")]
    public void Bad_values_name_the_key_and_what_is_expected(string from, string to, string expected)
    {
        var errors = Errors(Valid.Replace(from, to));
        Assert.Single(errors);
        Assert.StartsWith("pipelines/x.yaml: " + expected, errors[0]);
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var errors = Errors(Valid.Replace("mode: last-item", "mode: x").Replace("train_fraction: 0.9", "train_fraction: 2").Replace("min_item_support: 5", "min_support: 5"));
        Assert.Equal(3, errors.Length);
    }

    [Fact]
    public void A_missing_dataset_section_says_what_it_needs() =>
        Assert.Equal(["pipelines/x.yaml: dataset: missing; expected a section with the dataset's format (amazon-sessions, movielens-csv, movielens-dat, generic), interactions and items files"],
            Errors("samples: {mode: last-item}"));

    [Fact]
    public void Absent_sections_take_their_defaults()
    {
        var pipeline = Parse("dataset: {format: generic, interactions: a.csv, items: b.csv}").Match(p => p, e => throw new InvalidOperationException(e.Head.Message));
        Assert.Equal("x", pipeline.Name);
        Assert.Equal(new SessionizeOptions(SessionGrouping.Key, 0, 1, 2), pipeline.Find("sessions")!.Config);
        Assert.Equal(new SplitOptions(0.9), pipeline.Find("split")!.Config);
        Assert.Equal(new SamplingOptions(SamplingMode.AllPrefixes), pipeline.Find("samples")!.Config);
    }

    [Fact]
    public void Json_pipelines_parse_like_yaml()
    {
        var json = """{"dataset": {"format": "generic", "interactions": "a.csv", "items": "b.csv"}, "samples": {"mode": "last-item"}}""";
        var pipeline = Parse(json).Match(p => p, e => throw new InvalidOperationException(e.Head.Message));
        Assert.Equal(new SamplingOptions(SamplingMode.LastItem), pipeline.Find("samples")!.Config);
    }

    [Fact]
    public void Quoted_numbers_are_not_numbers() =>
        Assert.Contains("'0.9' is not a number", Assert.Single(Errors(Valid.Replace("train_fraction: 0.9", "train_fraction: '0.9'"))));
}

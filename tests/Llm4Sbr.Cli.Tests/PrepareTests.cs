using System.Text.Json;

namespace Llm4Sbr.Cli.Tests;

/// <summary>The data stages through the CLI on the bundled data; the figures are the issue's
/// (Beauty's samples are the paper's Table 2: 158,139 and 18,000).</summary>
public sealed class PrepareTests : IDisposable
{
    readonly CliRunner _cli = new();
    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Prepare_json_on_movielens_small_reports_the_expected_figures()
    {
        var result = await _cli.RunAsync("prepare", "movielens-small", "--json");

        Assert.True(result.Code == 0, result.Error);
        var json = result.Json();
        Assert.Equal("movielens-small", json.GetProperty("dataset").GetString());
        AssertFigures(json, trainSessions: 3707, testSessions: 412, trainSamples: 3707, testSamples: 412, items: 3330, clicks: 46633);
        Assert.Equal(0, json.GetProperty("lines_skipped").GetInt64());
        Assert.False(json.GetProperty("cached").GetBoolean());
    }

    [Fact]
    public async Task Prepare_json_on_amazon_beauty_reports_the_paper_figures()
    {
        var result = await _cli.RunAsync("prepare", "amazon-beauty", "--json");

        Assert.True(result.Code == 0, result.Error);
        var json = result.Json();
        Assert.Equal("amazon-beauty", json.GetProperty("dataset").GetString());
        AssertFigures(json, trainSessions: 20126, testSessions: 2237, trainSamples: 158139, testSamples: 18000, items: 12101, clicks: 198502);
        Assert.Equal(7, json.GetProperty("items_without_title").GetInt32());
    }

    [Fact]
    public async Task Prepare_a_second_time_takes_everything_from_the_cache_with_the_same_figures()
    {
        var first = (await _cli.RunAsync("prepare", "movielens-small", "--json")).Json();
        var second = await _cli.RunAsync("prepare", "movielens-small", "--json");

        Assert.Equal(0, second.Code);
        var json = second.Json();
        Assert.True(json.GetProperty("cached").GetBoolean());
        foreach (var name in new[] { "train_sessions", "test_sessions", "train_samples", "test_samples", "items", "clicks" })
            Assert.Equal(first.GetProperty(name).GetInt64(), json.GetProperty(name).GetInt64());
    }

    [Fact]
    public async Task Prepare_without_json_prints_a_readable_summary()
    {
        var result = await _cli.RunAsync("prepare", "movielens-small");

        Assert.Equal(0, result.Code);
        Assert.Contains("train samples", result.Out);
        Assert.Contains("3,707", result.Out);
        Assert.Contains("4 computed, 0 cached", result.Out);
        // Standard error holds the progress lines only (output is not a terminal), one per computed stage.
        Assert.Equal(["load", "sessions", "split", "samples"], result.ErrorLines.Select(CliRunner.ComputedStage));
    }

    static void AssertFigures(JsonElement json, int trainSessions, int testSessions, int trainSamples, int testSamples, int items, long clicks)
    {
        Assert.Equal(trainSessions, json.GetProperty("train_sessions").GetInt32());
        Assert.Equal(testSessions, json.GetProperty("test_sessions").GetInt32());
        Assert.Equal(trainSamples, json.GetProperty("train_samples").GetInt32());
        Assert.Equal(testSamples, json.GetProperty("test_samples").GetInt32());
        Assert.Equal(items, json.GetProperty("items").GetInt32());
        Assert.Equal(clicks, json.GetProperty("clicks").GetInt64());
    }
}

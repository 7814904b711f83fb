using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Prompts;
using Xunit;

namespace Llm4Sbr.Core.Tests.Prompts;

public class PromptBuilderTests
{
    private static readonly IReadOnlyDictionary<int, Item> Catalogue = new Dictionary<int, Item>
    {
        [1] = new(1, "OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce", true),
        [2] = new(2, "OPI Red Shatter Crackle Nail Polish E55 New", true),
        [3] = new(3, Item.PlaceholderTitle(3), false),
    };

    private static Sample SampleOf(long id, params int[] clicks) => new(id, id, SplitPart.Train, [.. clicks], 99);

    private static PromptRecord BuildOk(Sample s, ViewSpec v, PromptOptions? o = null) =>
        PromptBuilder.Build(s, Catalogue, v, o ?? PromptOptions.Default).Match(p => p, e => throw new Xunit.Sdk.XunitException(e.Message));

    [Fact]
    public void Long_view_follows_the_papers_template_line_by_line()
    {
        var p = BuildOk(SampleOf(7, 1, 2), Views.Long);
        Assert.Equal(
            "The order in which users click on items is as follows:\n" +
            "1. OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce_1\n" +
            "2. OPI Red Shatter Crackle Nail Polish E55 New_2\n" +
            "Please guess an item that the user is interested in in the long-term. (Only output the item name without any explanation.)",
            p.Text);
        Assert.Equal(7, p.SampleId);
        Assert.Equal("long", p.View);
        Assert.Equal([1, 2], p.ItemIds.ToArray());
    }

    [Fact]
    public void Short_and_normal_views_change_only_the_question()
    {
        var sample = SampleOf(1, 2, 3);
        var lines = (ViewSpec v) => BuildOk(sample, v).Text.Split('\n');
        var longLines = lines(Views.Long);
        var shortLines = lines(Views.Short);
        var normalLines = lines(Views.Normal);
        Assert.Equal(longLines[..^1], shortLines[..^1]);
        Assert.Equal(longLines[..^1], normalLines[..^1]);
        Assert.Equal("Please guess an item that the user is interested in in the short-term. (Only output the item name without any explanation.)", shortLines[^1]);
        Assert.Equal("Please guess an item that the user is interested in. (Only output the item name without any explanation.)", normalLines[^1]);
        Assert.Equal("2. item 3_3", longLines[2]);
    }

    [Fact]
    public void A_new_view_is_only_a_name_and_a_qualifier()
    {
        var weekend = new ViewSpec("weekend", "at the weekend");
        var p = BuildOk(SampleOf(1, 1), weekend);
        Assert.EndsWith("interested in at the weekend. (Only output the item name without any explanation.)", p.Text);
        Assert.Equal("weekend", p.View);
        Assert.Equal(OfflineRule.Medoid, weekend.Offline);
    }

    [Fact]
    public void Long_sessions_are_cut_to_their_last_max_items_clicks()
    {
        var clicks = Enumerable.Range(0, 25).Select(i => 1 + i % 3).ToArray();
        var p = BuildOk(SampleOf(3, clicks), Views.Long, PromptOptions.Default with { MaxItems = 20 });
        var lines = p.Text.Split('\n');
        Assert.Equal(22, lines.Length);
        Assert.Equal(clicks[5..], p.ItemIds.ToArray());
        Assert.StartsWith("1. ", lines[1]);
        Assert.EndsWith($"_{clicks[5]}", lines[1]);
        Assert.StartsWith("20. ", lines[20]);
        Assert.EndsWith($"_{clicks[24]}", lines[20]);
    }

    [Fact]
    public void Hash_is_lower_case_hex_sha256_of_the_utf8_text()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", PromptBuilder.Hash("abc"));
        var p = BuildOk(SampleOf(1, 1, 2), Views.Short);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(p.Text))), p.Hash);
    }

    [Fact]
    public void An_unknown_item_is_an_error_naming_sample_and_item()
    {
        var result = PromptBuilder.Build(SampleOf(42, 1, 77), Catalogue, Views.Long, PromptOptions.Default);
        Assert.True(result.IsFail);
        var message = result.Match(_ => "", e => e.Message);
        Assert.Contains("sample 42", message);
        Assert.Contains("item 77", message);
    }

    [Fact]
    public void Titles_stay_on_one_line_and_placeholders_inside_titles_are_not_expanded()
    {
        var items = new Dictionary<int, Item> { [5] = new(5, "Two\r\nlines {id} {title}", true) };
        var p = PromptBuilder.Build(SampleOf(1, 5), items, Views.Normal, PromptOptions.Default).Match(x => x, e => throw new Xunit.Sdk.XunitException(e.Message));
        Assert.Equal("1. Two lines {id} {title}_5", p.Text.Split('\n')[1]);
    }

    [Fact]
    public void BuildAll_orders_by_sample_then_configured_view()
    {
        var samples = new[] { SampleOf(10, 1), SampleOf(11, 2), SampleOf(12, 1, 2) };
        var all = PromptBuilder.BuildAll(samples, Catalogue, [Views.Short, Views.Long], PromptOptions.Default)
            .Match(x => x, e => throw new Xunit.Sdk.XunitException(e.Message));
        Assert.Equal(
            [(10L, "short"), (10L, "long"), (11L, "short"), (11L, "long"), (12L, "short"), (12L, "long")],
            all.Select(p => (p.SampleId, p.View)).ToArray());
    }

    [Fact]
    public void BuildAll_rejects_bad_view_configuration()
    {
        var samples = new[] { SampleOf(10, 1) };
        string Fail(IReadOnlyList<ViewSpec> views) =>
            PromptBuilder.BuildAll(samples, Catalogue, views, PromptOptions.Default).Match(_ => "", e => e.Message);
        Assert.Contains("twice", Fail([Views.Long, Views.Long]));
        Assert.Contains("not valid", Fail([new ViewSpec("Long Term", "x")]));
        Assert.Contains("no views", Fail([]));
    }

    [Fact]
    public void Unknown_builtin_view_and_bad_offline_rule_errors_name_the_valid_options()
    {
        var view = Views.FindBuiltin("medium").Match(_ => "", e => e.Message);
        Assert.Contains("long, short, normal", view);
        var rule = OfflineRule.Parse("centroid").Match(_ => "", e => e.Message);
        Assert.Contains(OfflineRule.ValidSpellings, rule);
        Assert.Equal(new OfflineRule(OfflinePick.Medoid, 3), OfflineRule.Parse("medoid:3").Match(r => r, e => throw new Xunit.Sdk.XunitException(e.Message)));
        foreach (var r in new[] { OfflineRule.Medoid, OfflineRule.Last, new OfflineRule(OfflinePick.Medoid, 5) })
            Assert.Equal(r, OfflineRule.Parse(r.ToString()).Match(x => x, e => throw new Xunit.Sdk.XunitException(e.Message)));
    }

    [Fact]
    public void Prompt_structure_holds_for_any_session_and_cut()
    {
        var items = Enumerable.Range(1, 30).ToDictionary(i => i, i => new Item(i, $"Title {i * 7 % 13} of item", true));
        var gen = Gen.Select(Gen.Int[1, 30].Array[1, 45], Gen.Int[1, 25], Gen.OneOfConst(Views.Long, Views.Short, Views.Normal));
        gen.CheckFixed((clicks, maxItems, view) =>
        {
            var sample = SampleOf(1, clicks);
            var p = PromptBuilder.Build(sample, items, view, PromptOptions.Default with { MaxItems = maxItems })
                .Match(x => x, e => throw new Xunit.Sdk.XunitException(e.Message));
            var shown = Math.Min(clicks.Length, maxItems);
            var lines = p.Text.Split('\n');
            Assert.Equal(shown + 2, lines.Length);
            Assert.Equal(PromptTemplate.Paper.Header, lines[0]);
            Assert.Equal(PromptBuilder.Question(PromptTemplate.Paper, view), lines[^1]);
            for (var i = 0; i < shown; i++)
            {
                var id = clicks[clicks.Length - shown + i];
                Assert.Equal($"{i + 1}. {items[id].Title}_{id}", lines[i + 1]);
            }
            Assert.Equal(PromptBuilder.Hash(p.Text), p.Hash);
            Assert.Equal(p.Text, PromptBuilder.Build(sample, items, view, PromptOptions.Default with { MaxItems = maxItems }).Match(x => x.Text, _ => ""));
        }, iter: 300);
    }
}

using Llm4Sbr.Tests.Shared;
using System.Collections.Immutable;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Stages.Experiments;

namespace Llm4Sbr.Stages.Tests.Experiments;

public sealed class FigureDataTests
{
    /// <summary>A result whose P, MRR and NDCG at every K are all <paramref name="value"/>.</summary>
    static CellResult Result(string model, long seed, double value, string variant = "", ImmutableArray<(long, int)> ranks = default) =>
        new(new ExperimentCell("ml", variant.Length == 0 ? ImmutableSortedDictionary<string, string>.Empty
                : ImmutableSortedDictionary<string, string>.Empty.Add("localize.k", variant.Split('=')[1]), variant, model, seed, 42),
            Cached: true, 0, [], "key", new RankingMetrics(4, [.. new[] { 5, 10, 20 }.Select(k => new MetricsAtK(k, value, value, value))]),
            ranks.IsDefault ? [(1, 1), (2, 30)] : ranks, "offline engine (offline title-medoid-1): no LLM was asked.", model.StartsWith("llm4sbr", StringComparison.Ordinal), false);

    static ExperimentPlan Plan(FigureKind kind, Sweep? sweep, params string[] models) =>
        new("p", "Plan P", null, [.. models], ImmutableSortedDictionary<string, string>.Empty.Add("srgnn", "w/o LLM"), [], sweep,
            PlanFile.DefaultMetrics, new FigureSpec(kind, [new("p", 20), new("mrr", 20)]), "table4", 2, "p.yaml");

    [Fact]
    public void Bars_by_metric_have_a_group_per_metric_and_a_series_per_model_in_percent_with_the_std_over_seeds()
    {
        var outcome = ExperimentOutcome.Build(Plan(FigureKind.BarsByMetric, null, "srgnn", "llm4sbr-srgnn"), "ml", "movielens-small",
            [Result("srgnn", 42, 0.10), Result("srgnn", 43, 0.20), Result("llm4sbr-srgnn", 42, 0.30), Result("llm4sbr-srgnn", 43, 0.30)], resamples: 100);
        var figure = Assert.Single(FigureData.Build(outcome));
        Assert.Equal("p", figure.FileStem);
        Assert.False(figure.Lines);
        Assert.Equal(["P@20", "MRR@20"], figure.Categories.ToArray());
        Assert.Equal(["w/o LLM", "LLM4SBR(SR-GNN)"], figure.Series.Select(s => s.Name));
        Assert.Equal([15.0, 15.0], figure.Series[0].Values.Select(v => Math.Round(v, 9)));
        Assert.Equal(Math.Sqrt(0.005) * 100, figure.Series[0].Errors[0], 9); // sample std of 0.1 and 0.2
        Assert.Equal([30.0, 30.0], figure.Series[1].Values.Select(v => Math.Round(v, 9)));
        Assert.Equal("value (%)", figure.YLabel);
        Assert.Contains("movielens-small", figure.Subtitle);
        Assert.Contains("no LLM", figure.Subtitle);
        Assert.Contains("2 seeds", figure.Subtitle);
        // The pair srgnn vs llm4sbr-srgnn is tested on the per-sample ranks.
        Assert.Equal(("srgnn", "llm4sbr-srgnn"), (Assert.Single(outcome.Pairs).Backbone, outcome.Pairs[0].Enhanced));
        Assert.Equal(2, outcome.Pairs[0].Mrr20.Samples);
    }

    [Fact]
    public void Bars_by_backbone_draw_one_figure_per_metric_with_a_group_per_backbone()
    {
        var outcome = ExperimentOutcome.Build(Plan(FigureKind.BarsByBackbone, null, "gru4rec", "llm4sbr-gru4rec", "srgnn", "llm4sbr-srgnn"), "ml", "ml",
            [Result("gru4rec", 42, 0.1), Result("llm4sbr-gru4rec", 42, 0.2), Result("srgnn", 42, 0.3), Result("llm4sbr-srgnn", 42, 0.4)], resamples: 100);
        var figures = FigureData.Build(outcome);
        Assert.Equal(["p-p20", "p-mrr20"], figures.Select(f => f.FileStem));
        Assert.Equal(["GRU4Rec", "SR-GNN"], figures[0].Categories.ToArray());
        Assert.Equal(["backbone alone", "LLM4SBR(backbone)"], figures[0].Series.Select(s => s.Name));
        Assert.Equal([10.0, 30.0], figures[0].Series[0].Values.Select(v => Math.Round(v, 9)));
        Assert.Equal([20.0, 40.0], figures[0].Series[1].Values.Select(v => Math.Round(v, 9)));
        Assert.Equal("P@20 (%)", figures[0].YLabel);
    }

    [Fact]
    public void Lines_put_the_sweep_values_on_x_with_a_line_per_model_and_metric()
    {
        var sweep = new Sweep("localize.k", ["0", "1", "5"], "k");
        var outcome = ExperimentOutcome.Build(Plan(FigureKind.Lines, sweep, "llm4sbr-srgnn"), "ml", "ml",
            [Result("llm4sbr-srgnn", 42, 0.1, "localize.k=0"), Result("llm4sbr-srgnn", 42, 0.2, "localize.k=1"), Result("llm4sbr-srgnn", 42, 0.3, "localize.k=5")], resamples: 100);
        var figure = Assert.Single(FigureData.Build(outcome));
        Assert.True(figure.Lines);
        Assert.Equal([0.0, 1, 5], figure.X.ToArray());
        Assert.Equal("k", figure.XLabel);
        Assert.Equal(["LLM4SBR(SR-GNN) P@20", "LLM4SBR(SR-GNN) MRR@20"], figure.Series.Select(s => s.Name));
        Assert.Equal([10.0, 20, 30], figure.Series[0].Values.Select(v => Math.Round(v, 9)));
        Assert.Equal([(0, false), (1, false)], figure.Series.Select(s => (s.Color, s.Dashed))); // a colour per metric; LLM4SBR solid
    }

    [Fact]
    public void The_report_names_the_views_engine_and_shows_the_papers_figures_labelled_as_the_papers()
    {
        var outcome = ExperimentOutcome.Build(Plan(FigureKind.BarsByMetric, null, "srgnn", "llm4sbr-srgnn"), "ml", "amazon-beauty",
            [Result("srgnn", 42, 0.15), Result("llm4sbr-srgnn", 42, 0.17)], resamples: 100);
        var paper = PaperFigures.Parse("# source\ntable,dataset,paper_dataset,model,metric,value\ntable4,amazon-beauty,Beauty,srgnn,p@20,15.06\n", "f.csv")
            .Match(f => f, e => throw new InvalidOperationException(e.Message));
        var md = ExperimentReport.Render(outcome, paper, ["p.png"]);
        Assert.Contains("**Views (LLM):** offline engine", md);
        Assert.Contains("The paper's figures (NOT ours)", md);
        Assert.Contains("| w/o LLM | P@20 | 15.00 | 15.06 | -0.06 |", md);
        Assert.Contains("![p](p.png)", md);
        Assert.Contains("Paired bootstrap", md);
    }

    [Fact]
    public void The_checked_in_paper_figures_parse_and_hold_table_3_and_table_4()
    {
        var text = File.ReadAllText(Path.Combine(PlanFile.BuiltInFolder(RepositoryRoot.Path), PaperFigures.FileName));
        var figures = PaperFigures.Parse(text, PaperFigures.FileName).Match(f => f, e => throw new InvalidOperationException(e.Message));
        Assert.StartsWith("# The LLM4SBR paper's own figures (NOT results of this repository)", text);
        Assert.Equal(16.98, PaperFigures.Find(figures, "table3", "amazon-beauty", "llm4sbr-srgnn", new MetricRef("p", 20))!.Value);
        Assert.Equal(18.35, PaperFigures.Find(figures, "table3", "movielens-1m", "llm4sbr-srgnn", new MetricRef("p", 20))!.Value);
        // Table 4's w/o LLM and full columns repeat Table 3's SR-GNN rows.
        foreach (var metric in new[] { "p@5", "p@10", "p@20", "mrr@5", "mrr@10", "mrr@20" })
            foreach (var model in new[] { "srgnn", "llm4sbr-srgnn" })
                Assert.Equal(figures.Single(f => f.Table == "table3" && f.Dataset == "amazon-beauty" && f.Model == model && f.Metric == metric).Value,
                    figures.Single(f => f.Table == "table4" && f.Dataset == "amazon-beauty" && f.Model == model && f.Metric == metric).Value);
        Assert.True(PaperFigures.Parse("table,dataset\n", "bad.csv").IsFail);
    }
}

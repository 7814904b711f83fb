using System.Collections.Immutable;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Stages.Modeling.Evaluate;
using Llm4Sbr.Stages.Modeling.Report;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Training.Fitting;
using Xunit;

namespace Llm4Sbr.Stages.Tests.Modeling;

/// <summary>The report's "Choice of the selection metric" table, replayed from epoch histories.</summary>
public class SelectionReplayReportTests
{
    const int Patience = 2;

    static RankingMetrics At20(double p, double mrr) => new(100, [new MetricsAtK(20, p, mrr, p / 2)]);

    /// <summary>A run's history from its validation P@20 and MRR@20 per epoch; test P@20 = <paramref name="testBase"/> + epoch / 100,
    /// test MRR@20 = epoch / 100.</summary>
    static IEnumerable<EpochRow> History(string model, long seed, double testBase, double[] validationP, double[] validationMrr) =>
        validationP.Select((p, i) => new EpochRow(model, seed, new EpochRecord(i + 1, 1, 0, 1e-3,
            At20(p, validationMrr[i]), At20(testBase + (i + 1) / 100.0, (i + 1) / 100.0))));

    static ModelRun Run(string model, long seed, int selected, int epochsRun, bool stoppedEarly) =>
        new(model, ModelFamily.Neural, seed, ImmutableSortedDictionary<string, string>.Empty, "", selected, epochsRun, "MRR@20", stoppedEarly,
            At20(0, 0), null, null, "");

    static ModelSummary Summary(string model, int seeds) =>
        new(model, ModelFamily.Neural, [.. Enumerable.Range(1, seeds).Select(s => (long)s)], 100, At20(0.1, 0.05), At20(0, 0), null, 2, 4);

    // SR-GNN, two seeds. Under MRR@20 both select epoch 2 and stop after epoch 4; under P@20 both peak at
    // epoch 1 and would have stopped after epoch 3, within what was run. GRU4Rec stopped after epoch 3
    // under MRR@20 (best: 1) while its P@20 was still rising: under P@20 it would have trained on.
    static readonly ModelRun[] Runs = [Run("srgnn", 1, 2, 4, true), Run("srgnn", 2, 2, 4, true), Run("gru4rec", 1, 1, 3, true)];
    static readonly EpochRow[] Histories =
    [
        .. History("srgnn", 1, 0.10, [0.20, 0.10, 0.15, 0.12], [0.05, 0.06, 0.04, 0.03]),
        .. History("srgnn", 2, 0.20, [0.30, 0.20, 0.10, 0.10], [0.03, 0.05, 0.04, 0.04]),
        .. History("gru4rec", 1, 0.30, [0.10, 0.20, 0.30], [0.05, 0.04, 0.03]),
    ];

    static string Section(ImmutableArray<EpochRow> history)
    {
        var markdown = ReportMarkdown.Render(new ReportInputs(new ReportConfig("beauty", "amazon-beauty", null, Patience),
            new DatasetSummary("amazon-beauty", 90, 10, 900, 100, 40, 1200), new TrainingFacts(810, 90, 100, 40, 0.1, "cpu", "", []),
            new MetricsTable([Summary("srgnn", 2), Summary("gru4rec", 1)], []), [.. Runs], history, "none", false));
        int start = markdown.IndexOf("## Choice of the selection metric", StringComparison.Ordinal);
        if (start < 0) return "";
        int end = markdown.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        return markdown[start..end];
    }

    static string[] Cells(string section, string model, string criterion)
    {
        var rows = section.Split('\n').Select(l => l.Split('|', StringSplitOptions.TrimEntries)).Where(c => c.Length > 6).ToList();
        int first = rows.FindIndex(c => c[1] == model);
        return rows.Skip(first).First(c => c[2] == criterion)[3..7];
    }

    [Fact]
    public void Each_criterion_takes_the_test_figures_of_the_epoch_it_picks_on_validation()
    {
        var section = Section([.. Histories]);
        // MRR@20, the runs' own: epoch 2 of both seeds; test P@20 0.12 and 0.22, MRR@20 0.02.
        Assert.Equal(["2", "17.00 ± 7.07", "2.00 ± 0.00", "8.50 ± 3.54"], Cells(section, "SR-GNN", "MRR@20 (the result)"));
        // P@20: epoch 1 of both; test P@20 0.11 and 0.21.
        Assert.Equal(["1", "16.00 ± 7.07", "1.00 ± 0.00", "8.00 ± 3.54"], Cells(section, "SR-GNN", "P@20"));
        // NDCG@20 (P@20 / 2 on validation here) picks as P@20 does.
        Assert.Equal(["1", "16.00 ± 7.07", "1.00 ± 0.00", "8.00 ± 3.54"], Cells(section, "SR-GNN", "NDCG@20"));
        // GRU4Rec stopped before P@20 would have: no figures, and the report says why.
        Assert.Equal(["-", "-", "-", "-"], Cells(section, "GRU4Rec", "P@20"));
        Assert.Equal(["1", "31.00", "1.00", "15.50"], Cells(section, "GRU4Rec", "MRR@20 (the result)"));
        Assert.Contains("those epochs were never run", section);
    }

    [Fact]
    public void Replaying_the_runs_own_metric_gives_their_selected_epochs()
    {
        var rows = SelectionReplays.Of([.. Runs], [.. Histories], Patience, [SelectionMetric.MrrAt20]);
        foreach (var row in rows)
            Assert.Equal(Runs.Where(r => r.Model == row.Model).Average(r => r.SelectedEpoch), row.EpochMean);
    }

    [Fact]
    public void A_model_without_a_test_evaluation_every_epoch_has_no_rows()
    {
        var withoutTests = Histories.Select(h => h.Model == "gru4rec" ? h with { Epoch = h.Epoch with { Test = null } } : h).ToImmutableArray();
        var section = Section(withoutTests);
        Assert.DoesNotContain("GRU4Rec", section);
        Assert.Contains("SR-GNN", section);
        Assert.Equal("", Section([.. withoutTests.Where(h => h.Model == "gru4rec")]));
    }
}

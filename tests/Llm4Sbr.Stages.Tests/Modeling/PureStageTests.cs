using System.Collections.Immutable;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Stages.Modeling.Batches;
using Llm4Sbr.Stages.Modeling.Evaluate;
using Llm4Sbr.Stages.Modeling.Report;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Stages.Tests.Modeling.Support;
using Llm4Sbr.Training.Batching;
using Xunit;

namespace Llm4Sbr.Stages.Tests.Modeling;

public sealed class PureStageTests
{
    static readonly ImmutableSortedDictionary<string, string> NoParameters = ImmutableSortedDictionary<string, string>.Empty;

    static Session S(long id, params int[] items) => new(id, id, 0, [.. items]);
    static Sample Sample(long id, long session, SplitPart part, int target, params int[] prefix) => new(id, session, part, [.. prefix], target);

    [Fact]
    public async Task Batches_cover_every_item_of_train_and_test_sessions_and_round_trip_through_parquet()
    {
        var split = new SplitSet([S(0, 30, 10, 30), S(1, 20, 10)], [S(2, 10, 99, 20)]);
        var samples = new SampleSet(
            [Sample(0, 0, SplitPart.Train, 10, 30), Sample(1, 0, SplitPart.Train, 30, 30, 10), Sample(2, 1, SplitPart.Train, 10, 20)],
            [Sample(3, 2, SplitPart.Test, 99, 10), Sample(4, 2, SplitPart.Test, 20, 10, 99)]);
        var set = BatchesStage.Run(split, samples).Value();

        Assert.Equal([0, 10, 20, 30, 99], set.Vocabulary.IdsByIndex.ToArray());
        Assert.Equal([0L, 1, 2], set.Train.Samples.Select(s => s.Id));
        var last = set.Test[1];
        Assert.Equal(2, last.Target); // item 20
        Assert.Equal([1, 4], last.Items.ToArray());
        Assert.Null(last.Graph); // graphs are the session-graphs stage's
        // Sample 1: prefix [30, 10] -> dense [3, 1]; nodes ascending, aliases per click; target 30 -> 3.
        var graphs = SessionGraphSet.Of(set);
        Assert.Equal(SessionGraph.Build([1, 4]).Edges.ToArray(), graphs.Test[1].Graph.Edges.ToArray());
        Assert.Equal([3, 1], set.Train[1].Items.ToArray());
        Assert.Equal([1, 3], graphs.Train[1].Graph.Nodes.ToArray());
        Assert.Equal([1, 0], graphs.Train[1].Graph.Alias.ToArray());
        Assert.Equal(3, set.Train[1].Target);

        var folder = Path.Combine(Path.GetTempPath(), "llm4sbr-batches-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await BatchSetCodec.Instance.WriteAsync(set, folder, default);
            var read = (await BatchSetCodec.Instance.ReadAsync(folder, default)).Value();
            Assert.Equal(set.Vocabulary.IdsByIndex.ToArray(), read.Vocabulary.IdsByIndex.ToArray());
            foreach (var (a, b) in set.Train.Samples.Concat(set.Test.Samples).Zip(read.Train.Samples.Concat(read.Test.Samples)))
            {
                Assert.Equal((a.Id, a.SessionId, a.Target), (b.Id, b.SessionId, b.Target));
                Assert.Equal(a.Items.ToArray(), b.Items.ToArray());
            }
            Assert.Equal(3, read.Train.Count);

            await SessionGraphSetCodec.Instance.WriteAsync(graphs, folder, default);
            var readGraphs = (await SessionGraphSetCodec.Instance.ReadAsync(folder, default)).Value();
            foreach (var (a, b) in graphs.Train.Concat(graphs.Test).Zip(readGraphs.Train.Concat(readGraphs.Test)))
            {
                Assert.Equal(a.SampleId, b.SampleId);
                Assert.Equal(a.Graph.Nodes.ToArray(), b.Graph.Nodes.ToArray());
                Assert.Equal(a.Graph.Alias.ToArray(), b.Graph.Alias.ToArray());
                Assert.Equal(a.Graph.Edges.ToArray(), b.Graph.Edges.ToArray());
            }
            Assert.Equal(3, readGraphs.Train.Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static RankingMetrics Placeholder => MetricsAccumulator.FromRanks([1]);

    static ModelRun Run(string model, long seed, ModelFamily family = ModelFamily.Neural) =>
        new(model, family, seed, NoParameters, "", 1, 1, "MRR@20", false, Placeholder, null, null, "");

    static TrainedModels Trained(IEnumerable<ModelRun> runs, IEnumerable<RankRow> ranks) =>
        new(new TrainingFacts(3, 1, 4, 40, 0.1, "cpu", "", []), [.. runs], [], [.. ranks], [], [], []);

    static IEnumerable<RankRow> Ranks(string model, long seed, params int[] ranks) =>
        ranks.Select((r, i) => new RankRow(model, seed, 10 + i, r));

    static SampleSet FourTestSamples => new([], [.. Enumerable.Range(10, 4).Select(i => Sample(i, i, SplitPart.Test, 1, 2))]);

    [Fact]
    public void Evaluate_recomputes_every_metric_from_the_ranks_and_averages_over_seeds()
    {
        int[] seed1 = [1, 3, 30, 7], seed2 = [2, 1, 5, 25];
        var trained = Trained([Run("srgnn", 1), Run("srgnn", 2), Run("pop", ModelRun.Unseeded, ModelFamily.Baseline)],
            [.. Ranks("srgnn", 1, seed1), .. Ranks("srgnn", 2, seed2), .. Ranks("pop", ModelRun.Unseeded, 40, 40, 1, 2)]);
        var table = EvaluateStage.Run(trained, FourTestSamples, new EvaluateConfig([5, 10, 20])).Value();

        // By hand, per seed: P@K = hits / 4, MRR@K = sum 1/rank over hits / 4, NDCG@K = sum 1/log2(rank + 1) / 4.
        double P(int[] r, int k) => r.Count(x => x <= k) / 4.0;
        double Mrr(int[] r, int k) => r.Where(x => x <= k).Sum(x => 1.0 / x) / 4;
        double Ndcg(int[] r, int k) => r.Where(x => x <= k).Sum(x => 1 / Math.Log2(x + 1)) / 4;
        var srgnn = table["srgnn"];
        Assert.Equal([1L, 2], srgnn.Seeds.ToArray());
        foreach (var k in new[] { 5, 10, 20 })
        {
            Assert.Equal((P(seed1, k) + P(seed2, k)) / 2, srgnn.Mean[k].Precision, 12);
            Assert.Equal((Mrr(seed1, k) + Mrr(seed2, k)) / 2, srgnn.Mean[k].Mrr, 12);
            Assert.Equal((Ndcg(seed1, k) + Ndcg(seed2, k)) / 2, srgnn.Mean[k].Ndcg, 12);
            Assert.Equal(Math.Abs(P(seed1, k) - P(seed2, k)) / Math.Sqrt(2), srgnn.StandardDeviation[k].Precision, 12);
        }
        Assert.Equal(0.5, table["pop"].Mean[20].Precision);
        Assert.Equal(0, table["pop"].StandardDeviation[20].Precision);
        Assert.Equal(["srgnn", "pop"], table.Models.Select(m => m.Model));
    }

    [Fact]
    public void Evaluate_refuses_runs_that_did_not_rank_every_test_sample_once()
    {
        var missing = Trained([Run("srgnn", 1)], Ranks("srgnn", 1, 1, 2, 3));
        Assert.Contains("ranked 3 of the 4 test samples", EvaluateStage.Run(missing, FourTestSamples, new EvaluateConfig([5, 10, 20])).ErrorMessage());
        var foreign = Trained([Run("srgnn", 1)], [.. Ranks("srgnn", 1, 1, 2, 3, 4), new RankRow("srgnn", 1, 99, 1)]);
        Assert.Contains("sample 99, which is not a test sample", EvaluateStage.Run(foreign, FourTestSamples, new EvaluateConfig([5, 10, 20])).ErrorMessage());
        var twice = Trained([Run("srgnn", 1)], [.. Ranks("srgnn", 1, 1, 2, 3), new RankRow("srgnn", 1, 10, 5)]);
        Assert.Contains("ranked test sample 10 twice", EvaluateStage.Run(twice, FourTestSamples, new EvaluateConfig([5, 10, 20])).ErrorMessage());
    }

    static RankingMetrics Metrics(double p20, double mrr20) =>
        new(100, [new MetricsAtK(5, p20 / 2, mrr20 / 2, p20 / 3), new MetricsAtK(10, p20 / 1.5, mrr20 / 1.5, p20 / 2.5), new MetricsAtK(20, p20, mrr20, p20 / 2)]);

    static ModelSummary Summary(string model, ModelFamily family, RankingMetrics mean, RankingMetrics? paper = null) =>
        new(model, family, [42], 100, mean, MetricsAccumulator.FromRanks([1]) with { AtK = [.. mean.AtK.Select(m => m with { Precision = 0, Mrr = 0, Ndcg = 0 })] },
            paper, 3, 5);

    [Fact]
    public void The_report_puts_each_llm4sbr_model_under_its_backbone_with_the_improvement_in_percent()
    {
        var table = new MetricsTable([
            Summary("stan", ModelFamily.Baseline, Metrics(0.11, 0.03)),
            Summary("srgnn", ModelFamily.Neural, Metrics(0.10, 0.04), paper: Metrics(0.105, 0.041)),
            Summary("llm4sbr-srgnn", ModelFamily.Neural, Metrics(0.12, 0.03)),
        ], []);
        var markdown = ReportMarkdown.Render(new ReportInputs(new ReportConfig("beauty", "amazon-beauty", null, 3),
            new DatasetSummary("amazon-beauty", 90, 10, 900, 100, 40, 1200), new TrainingFacts(810, 90, 100, 40, 0.1, "cpu", "ollama qwen2.5:7b", ["long", "short"]),
            table, [], [], "ollama qwen2.5:7b (views long, short).", true));
        var lines = markdown.Split('\n');
        int Line(string start) => Array.FindIndex(lines, l => l.StartsWith(start, StringComparison.Ordinal));

        Assert.True(Line("| *Baselines*") < Line("| STAN |"));
        Assert.True(Line("| SR-GNN |") < Line("| LLM4SBR(SR-GNN) |") && Line("| LLM4SBR(SR-GNN) |") < Line("| *Improv. over SR-GNN*"));
        var improvement = lines[Line("| *Improv. over SR-GNN*")].Split('|', StringSplitOptions.TrimEntries);
        Assert.Equal("+20.00 %", improvement[4]);   // P@20: 0.12 vs 0.10
        Assert.Equal("-25.00 %", improvement[7]);   // MRR@20: 0.03 vs 0.04
        Assert.Equal("12.00", lines[Line("| LLM4SBR(SR-GNN) |")].Split('|', StringSplitOptions.TrimEntries)[4]);
        Assert.Contains("**LLM:** ollama qwen2.5:7b", markdown);
        Assert.Contains("| SR-GNN | 5.25 |", markdown[markdown.IndexOf("Paper practice", StringComparison.Ordinal)..]);
        Assert.Contains("| 90 | 10 | 900 | 90 (10 % of train sessions) | 100 | 40 | 1,200 |", markdown);
    }

    /// <summary>The models arrive in the order the run listed them; Table 3 groups them by backbone in the
    /// paper's order, and the later tables (paper practice, training) list them in Table 3's order too.</summary>
    [Fact]
    public void Every_table_of_the_report_lists_the_models_in_table_3s_order()
    {
        var table = new MetricsTable([
            Summary("srgnn", ModelFamily.Neural, Metrics(0.10, 0.04), paper: Metrics(0.105, 0.041)),
            Summary("llm4sbr-srgnn", ModelFamily.Neural, Metrics(0.12, 0.05), paper: Metrics(0.125, 0.051)),
            Summary("gru4rec", ModelFamily.Neural, Metrics(0.09, 0.03), paper: Metrics(0.095, 0.031)),
            Summary("llm4sbr-gru4rec", ModelFamily.Neural, Metrics(0.11, 0.04), paper: Metrics(0.115, 0.041)),
            Summary("pop", ModelFamily.Baseline, Metrics(0.01, 0.005)),
        ], []);
        var markdown = ReportMarkdown.Render(new ReportInputs(new ReportConfig("beauty", "amazon-beauty", null, 3),
            new DatasetSummary("amazon-beauty", 90, 10, 900, 100, 40, 1200), new TrainingFacts(810, 90, 100, 40, 0.1, "cpu", "offline", ["long", "short"]),
            table, [], [], "offline", false));
        string[] expected = ["POP", "GRU4Rec", "LLM4SBR(GRU4Rec)", "SR-GNN", "LLM4SBR(SR-GNN)"];
        string[] Rows(string section)
        {
            var text = markdown[markdown.IndexOf(section, StringComparison.Ordinal)..];
            var next = text.IndexOf("\n## ", 3, StringComparison.Ordinal);
            return [.. (next < 0 ? text : text[..next]).Split('\n')
                .Select(l => l.Split('|', StringSplitOptions.TrimEntries)).Where(c => c.Length > 2).Select(c => c[1])
                .Where(name => expected.Contains(name))];
        }
        Assert.Equal(expected, Rows("## Overall performance"));
        Assert.Equal(expected[1..], Rows("## Paper practice"));
        Assert.Equal(expected, Rows("## Training"));
    }

    [Fact]
    public void The_llm_label_says_when_no_llm_was_asked()
    {
        var none = ReportStage.LlmLabel(new TrainingFacts(1, 1, 1, 1, 0.1, "cpu", "", []), "ollama llama3");
        Assert.False(none.UsedLlm);
        Assert.Contains("without an LLM", none.Label);
        Assert.Contains("ollama llama3, unused here", none.Label);
        var offline = ReportStage.LlmLabel(new TrainingFacts(1, 1, 1, 1, 0.1, "cpu", "offline", ["long"]), null);
        Assert.False(offline.UsedLlm);
        Assert.Contains("no LLM was asked", offline.Label);
        var real = ReportStage.LlmLabel(new TrainingFacts(1, 1, 1, 1, 0.1, "cpu", "openai gpt-4o-mini", ["long", "short"]), null);
        Assert.True(real.UsedLlm);
        Assert.StartsWith("openai gpt-4o-mini", real.Label);
    }
}

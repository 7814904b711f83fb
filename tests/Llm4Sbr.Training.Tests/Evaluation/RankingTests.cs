using CsCheck;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Training.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Evaluation;

public class RankingTests
{
    /// <summary>Scores for items 1..n, with index 0 (padding) prepended as the shared RankOf expects.</summary>
    private static int Expected(float[] row, int column) => Ranking.RankOf([float.NegativeInfinity, .. row], column + 1);

    private static readonly Gen<(float[] Scores, long[] Targets, int Rows, int Columns)> Batches =
        from rows in Gen.Int[1, 6]
        from columns in Gen.Int[1, 40]
        from levels in Gen.Int[1, 5] // few distinct levels: many ties
        from scores in Gen.Int[0, 4].Select(l => (float)l).Array[rows * columns]
        from targets in Gen.Long[0, columns - 1].Array[rows]
        select (scores.Select(s => s % levels - 0.5f * levels).ToArray(), targets, rows, columns);

    [Fact]
    public void Torch_and_cpu_batch_ranks_equal_the_shared_pessimistic_rank() =>
        Batches.CheckFixed(b =>
        {
            var scores = tensor(b.Scores, [b.Rows, b.Columns]);
            var targets = tensor(b.Targets);
            var torchRanks = TorchRanking.Ranks(scores, targets).data<long>().ToArray();
            var cpuRanks = ModelEvaluation.BatchRanks(scores, targets);
            for (int r = 0; r < b.Rows; r++)
            {
                int expected = Expected(b.Scores.AsSpan(r * b.Columns, b.Columns).ToArray(), (int)b.Targets[r]);
                Assert.Equal(expected, torchRanks[r]);
                Assert.Equal(expected, cpuRanks[r]);
            }
        }, iter: 200);

    [Fact]
    public void Ties_rank_pessimistically_and_nan_targets_rank_last()
    {
        var scores = tensor(new float[] { 1, 3, 3, 2, /**/ 5, 5, 5, 5, /**/ float.NaN, 1, 2, 3 }, [3, 4]);
        var targets = tensor(new long[] { 1, 0, 0 });
        Assert.Equal([2L, 4, 4], TorchRanking.Ranks(scores, targets).data<long>().ToArray());
        Assert.Equal([2, 4, 4], ModelEvaluation.BatchRanks(scores, targets));
    }

    [Fact]
    public void Ranks_past_k_count_as_misses_in_the_metrics()
    {
        // Ranks 1, 3, 15 and 21 over 4 samples: P@5 = 2/4, P@20 = 3/4, MRR@5 = (1 + 1/3) / 4.
        var m = MetricsAccumulator.FromRanks([1, 3, 15, 21]);
        Assert.Equal(0.5, m[5].Precision, 9);
        Assert.Equal(0.75, m[20].Precision, 9);
        Assert.Equal((1 + 1 / 3.0) / 4, m[5].Mrr, 9);
        Assert.Equal((1 + 1 / 3.0 + 1 / 15.0) / 4, m[20].Mrr, 9);
        Assert.Equal((1 + 1 / Math.Log2(4) + 1 / Math.Log2(16)) / 4, m[20].Ndcg, 9);
    }
}

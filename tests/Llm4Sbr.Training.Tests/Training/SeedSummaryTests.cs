using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Training.Fitting;
using Xunit;

namespace Llm4Sbr.Training.Tests.Training;

public class SeedSummaryTests
{
    [Fact]
    public void Mean_and_sample_standard_deviation_per_metric()
    {
        var runs = new[] { MetricsAccumulator.FromRanks([1, 30]), MetricsAccumulator.FromRanks([2, 30]), MetricsAccumulator.FromRanks([30, 30]) };
        var summary = SeedSummary.Of("srgnn", runs, [3, 4, 5]);
        var at5 = summary.AtK.Single(a => a.K == 5);
        // P@5 per run: 0.5, 0.5, 0 -> mean 1/3, sample std sqrt(((1/6)^2 * 2 + (1/3)^2) / 2) = sqrt(1/12)
        Assert.Equal(1 / 3.0, at5.Precision.Mean, 12);
        Assert.Equal(Math.Sqrt(1 / 12.0), at5.Precision.Std, 12);
        // MRR@5 per run: 0.5, 0.25, 0 -> mean 0.25, std 0.25
        Assert.Equal(0.25, at5.Mrr.Mean, 12);
        Assert.Equal(0.25, at5.Mrr.Std, 12);
        Assert.Equal(3, summary.Runs);
        Assert.Equal(0, SeedSummary.Of("x", runs[..1], [1]).AtK[0].Mrr.Std);
    }
}

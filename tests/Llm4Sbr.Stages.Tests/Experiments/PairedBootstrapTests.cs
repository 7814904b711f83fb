using Llm4Sbr.Stages.Experiments;

namespace Llm4Sbr.Stages.Tests.Experiments;

public sealed class PairedBootstrapTests
{
    [Fact]
    public void Identical_models_differ_by_nothing_with_p_one()
    {
        double[] a = [0.5, 0, 1, 0.25, 0, 0.2];
        var t = PairedBootstrap.Run(a, a);
        Assert.Equal(0, t.Difference);
        Assert.Equal(0, t.Low);
        Assert.Equal(0, t.High);
        Assert.Equal(1, t.PValue);
    }

    [Fact]
    public void A_constant_improvement_has_a_point_interval_and_the_smallest_p()
    {
        double[] a = [0.1, 0.2, 0.3, 0.4];
        double[] b = [.. a.Select(x => x + 0.5)];
        var t = PairedBootstrap.Run(a, b, resamples: 999);
        Assert.Equal(0.5, t.Difference, 12);
        Assert.Equal(0.5, t.Low, 12);
        Assert.Equal(0.5, t.High, 12);
        Assert.Equal(1.0 / 1000, t.PValue, 12);
        Assert.Equal(0.25, t.MeanA, 12);
        Assert.Equal(0.75, t.MeanB, 12);
    }

    /// <summary>d = (1, 0, 0, 0): a resample's mean is K/4 with K ~ Binomial(4, 1/4), and |K/4 - 1/4| >= 1/4
    /// unless K = 1, so the exact p is 1 - 4 (1/4)(3/4)^3 = 0.578125; the 95 % interval is [0, 0.75]
    /// (P(K = 0) = 0.316 > 0.025, and P(K >= 3) = 0.051 > 0.025 > P(K = 4) = 0.004).</summary>
    [Fact]
    public void One_hit_in_four_samples_gives_the_exact_binomial_p_value_within_sampling_error()
    {
        var t = PairedBootstrap.Run([0, 0, 0, 0], [1, 0, 0, 0], resamples: 20_000);
        Assert.Equal(0.25, t.Difference, 12);
        Assert.InRange(t.PValue, 0.578125 - 0.012, 0.578125 + 0.012); // > 3 binomial standard errors
        Assert.Equal(0, t.Low);
        Assert.Equal(0.75, t.High);
    }

    [Fact]
    public void The_same_seed_gives_the_same_result_and_another_seed_another()
    {
        double[] a = [0, 1, 0, 0.5, 0.2, 0, 0, 1, 0.33, 0];
        double[] b = [1, 1, 0, 0.5, 0, 0.5, 0, 1, 1, 0.1];
        Assert.Equal(PairedBootstrap.Run(a, b, 500, 7), PairedBootstrap.Run(a, b, 500, 7));
        Assert.NotEqual(PairedBootstrap.Run(a, b, 500, 7).PValue, PairedBootstrap.Run(a, b, 500, 8).PValue);
    }

    [Fact]
    public void Per_sample_values_are_cut_at_k_averaged_over_seeds_and_aligned_by_sample()
    {
        Assert.Equal(0.25, PairedBootstrap.ReciprocalRank(4, 20));
        Assert.Equal(0, PairedBootstrap.ReciprocalRank(21, 20));
        Assert.Equal(1, PairedBootstrap.Hit(20, 20));
        Assert.Equal(0, PairedBootstrap.Hit(21, 20));
        // a: sample 2 ranked 1 and 3 by two seeds; sample 9 only in a is dropped.
        var (x, y) = PairedBootstrap.Align([(2, 1), (2, 3), (5, 40), (9, 1)], [(5, 2), (2, 2)], r => PairedBootstrap.ReciprocalRank(r, 20));
        Assert.Equal([(1 + 1 / 3.0) / 2, 0], x.ToArray());
        Assert.Equal([0.5, 0.5], y.ToArray());
    }

    [Fact]
    public void Unequal_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Run([1, 2], [1]));
    }
}

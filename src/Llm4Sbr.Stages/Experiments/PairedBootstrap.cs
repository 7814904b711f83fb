using System.Collections.Immutable;
using Llm4Sbr.Core.Randomness;

namespace Llm4Sbr.Stages.Experiments;

/// <summary>A paired comparison of model B against model A over the same test samples:
/// <see cref="Difference"/> = mean(B) - mean(A) of a per-sample value, its 95 % bootstrap interval
/// [<see cref="Low"/>, <see cref="High"/>] and the two-sided bootstrap p-value.</summary>
public sealed record PairedTest(int Samples, double MeanA, double MeanB, double Difference, double Low, double High, double PValue, int Resamples);

/// <summary>The paired bootstrap test (Efron and Tibshirani 1993, section 16.4; as used for IR metrics
/// by Sakai 2006). Per test sample the difference d_i = b_i - a_i; B resamples draw n samples with
/// replacement (SplitMix64 from a fixed seed, so a result is reproducible) and take their mean d*.
/// Interval: the 2.5 and 97.5 percentiles of d*. p-value: under the null the d* are shifted to mean
/// 0, so p = (1 + #{|d* - mean(d)| >= |mean(d)|}) / (B + 1); identical models give p = 1, a constant
/// improvement the smallest p, 1 / (B + 1). Pure.</summary>
public static class PairedBootstrap
{
    public const int DefaultResamples = 10_000;
    public const ulong DefaultSeed = 20240101;

    public static PairedTest Run(IReadOnlyList<double> a, IReadOnlyList<double> b, int resamples = DefaultResamples, ulong seed = DefaultSeed)
    {
        if (a.Count != b.Count) throw new ArgumentException($"paired samples differ in length: {a.Count} and {b.Count}", nameof(b));
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        var n = a.Count;
        if (n == 0) return new PairedTest(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, resamples);
        var d = new double[n];
        double sumA = 0, sumB = 0;
        for (var i = 0; i < n; i++)
        {
            d[i] = b[i] - a[i];
            sumA += a[i];
            sumB += b[i];
        }
        var mean = (sumB - sumA) / n;
        var means = new double[resamples];
        var random = new SplitMix64(seed);
        var extreme = 0;
        for (var r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++) sum += d[random.NextBelow(n)];
            means[r] = sum / n;
            // A tolerance for floating-point sums: a resample equal to the mean is as extreme as it.
            if (Math.Abs(means[r] - mean) >= Math.Abs(mean) - 1e-12) extreme++;
        }
        Array.Sort(means);
        return new PairedTest(n, sumA / n, sumB / n, mean, Percentile(means, 0.025), Percentile(means, 0.975),
            (1.0 + extreme) / (resamples + 1.0), resamples);
    }

    /// <summary>Linear interpolation between closest ranks (the "R-7" definition).</summary>
    static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    /// <summary>Reciprocal rank cut at <paramref name="k"/>: 1/rank within the top k, else 0 (the
    /// per-sample term of MRR@k).</summary>
    public static double ReciprocalRank(int rank, int k) => rank <= k ? 1.0 / rank : 0;

    /// <summary>Hit within the top <paramref name="k"/>: 1 or 0 (the per-sample term of P@k).</summary>
    public static double Hit(int rank, int k) => rank <= k ? 1 : 0;

    /// <summary>Per-sample values of two models over the test samples both ranked, aligned by sample id
    /// (ascending); each model's value of a sample is the mean over its runs (seeds).</summary>
    public static (ImmutableArray<double> A, ImmutableArray<double> B) Align(
        IEnumerable<(long SampleId, int Rank)> a, IEnumerable<(long SampleId, int Rank)> b, Func<int, double> value)
    {
        static SortedDictionary<long, double> Means(IEnumerable<(long SampleId, int Rank)> ranks, Func<int, double> value) =>
            new(ranks.GroupBy(r => r.SampleId).ToDictionary(g => g.Key, g => g.Average(r => value(r.Rank))));
        var ma = Means(a, value);
        var mb = Means(b, value);
        var common = ma.Keys.Where(mb.ContainsKey).ToList();
        return ([.. common.Select(id => ma[id])], [.. common.Select(id => mb[id])]);
    }
}

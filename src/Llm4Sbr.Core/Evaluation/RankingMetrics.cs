using System.Collections.Immutable;

namespace Llm4Sbr.Core.Evaluation;

/// <summary>P@K (hit rate), MRR@K and NDCG@K at one cut-off, as fractions in [0, 1].</summary>
public sealed record MetricsAtK(int K, double Precision, double Mrr, double Ndcg);

/// <summary>Metrics over <see cref="Count"/> test samples. Every sample counts: a rank beyond K
/// contributes 0 to all three metrics at K (the reference SR-GNN code instead drops ranks between
/// K+1 and 20 from its @5 and @10 averages, which inflates them; we do not).</summary>
public sealed record RankingMetrics(long Count, ImmutableArray<MetricsAtK> AtK)
{
    public static readonly ImmutableArray<int> DefaultCutoffs = [5, 10, 20];

    public MetricsAtK this[int k] => AtK.FirstOrDefault(m => m.K == k)
        ?? throw new KeyNotFoundException($"no metrics at K={k}; available: {string.Join(", ", AtK.Select(m => m.K))}");
}

/// <summary>Sums hits, reciprocal ranks and discounted gains; mergeable so that parallel workers
/// each keep one and combine at the end. Not thread-safe by itself.</summary>
public sealed class MetricsAccumulator
{
    private readonly int[] _cutoffs;
    private readonly long[] _hits;
    private readonly double[] _rr;
    private readonly double[] _gain;
    public long Count { get; private set; }

    public MetricsAccumulator(IEnumerable<int>? cutoffs = null)
    {
        _cutoffs = (cutoffs ?? RankingMetrics.DefaultCutoffs).Order().ToArray();
        if (_cutoffs.Length == 0 || _cutoffs[0] < 1) throw new ArgumentException("cut-offs must be positive", nameof(cutoffs));
        _hits = new long[_cutoffs.Length];
        _rr = new double[_cutoffs.Length];
        _gain = new double[_cutoffs.Length];
    }

    /// <summary>Adds one sample whose target was ranked <paramref name="rank"/> (1-based).</summary>
    public void Add(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        Count++;
        for (int c = 0; c < _cutoffs.Length; c++)
        {
            if (rank > _cutoffs[c]) continue;
            _hits[c]++;
            _rr[c] += 1.0 / rank;
            _gain[c] += 1.0 / Math.Log2(rank + 1.0);
        }
    }

    public void Merge(MetricsAccumulator other)
    {
        if (!other._cutoffs.SequenceEqual(_cutoffs)) throw new ArgumentException("cut-offs differ", nameof(other));
        Count += other.Count;
        for (int c = 0; c < _cutoffs.Length; c++)
        {
            _hits[c] += other._hits[c];
            _rr[c] += other._rr[c];
            _gain[c] += other._gain[c];
        }
    }

    public RankingMetrics ToMetrics()
    {
        double n = Math.Max(1, Count);
        return new RankingMetrics(Count, [.. _cutoffs.Select((k, c) => new MetricsAtK(k, _hits[c] / n, _rr[c] / n, _gain[c] / n))]);
    }

    public static RankingMetrics FromRanks(IEnumerable<int> ranks, IEnumerable<int>? cutoffs = null)
    {
        var acc = new MetricsAccumulator(cutoffs);
        foreach (var r in ranks) acc.Add(r);
        return acc.ToMetrics();
    }
}

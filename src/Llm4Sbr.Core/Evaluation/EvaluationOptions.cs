using System.Collections.Immutable;

namespace Llm4Sbr.Core.Evaluation;

/// <summary>How <see cref="Evaluator"/> runs. The result never depends on
/// <see cref="DegreeOfParallelism"/>; only the time does.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Cut-offs K for P@K, MRR@K and NDCG@K (default 5, 10, 20).</summary>
    public ImmutableArray<int> Cutoffs { get; init; } = RankingMetrics.DefaultCutoffs;

    /// <summary>Worker threads over the test samples (default: one per processor).</summary>
    public int DegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    public static EvaluationOptions Default { get; } = new();
}

/// <summary>What <see cref="Evaluator.Evaluate"/> measured.</summary>
/// <param name="Metrics">P/MRR/NDCG at every cut-off over all samples (misses included).</param>
/// <param name="UnknownTargets">Samples whose target is not in the vocabulary; each counts as a
/// miss at every cut-off (rank beyond every K) instead of being dropped.</param>
/// <param name="UnknownPrefixItems">Prefix clicks not in the vocabulary; they are left out of
/// the prefix the scorer sees.</param>
/// <param name="Ranks">1-based rank of each sample's target, in sample order (the order of the
/// input list); 0 marks an unknown target. Useful for paired comparisons between models.</param>
public sealed record EvaluationResult(
    RankingMetrics Metrics, int UnknownTargets, long UnknownPrefixItems, ImmutableArray<int> Ranks)
{
    /// <summary>A result over a vocabulary-encoded sample set, where nothing can be unknown (the trained models').</summary>
    public static EvaluationResult Of(RankingMetrics metrics, ImmutableArray<int> ranks) => new(metrics, 0, 0, ranks);
}

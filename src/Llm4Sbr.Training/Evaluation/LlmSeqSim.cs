using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Evaluation;

/// <summary>How LLMSeqSim turns a session's item embeddings into one vector: the last item's, or their
/// (decay-weighted) mean.</summary>
public enum SessionCombination { Last, Mean }

/// <summary>The reference's decay weights for the weighted mean (<c>decay_utils.py</c>), by position from
/// the newest click (i = 1 newest, L oldest): the newest item always weighs 1.</summary>
public enum SessionDecay { None, ConstantLinear, ScalingLinear, ScalingQuadratic, ScalingCubic, Log, Harmonic, HarmonicSquared }

/// <summary>How a session vector is compared with an item's: cosine, dot product, or 1 / (1 + Euclidean distance).</summary>
public enum TextSimilarityMeasure { Cosine, Dot, Euclidean }

/// <summary>LLMSeqSim's settings (<c>model_params.llmseqsim</c>); the defaults are the reference's.</summary>
public sealed record LlmSeqSimOptions(
    SessionCombination Combination = SessionCombination.Last,
    SessionDecay Decay = SessionDecay.None,
    TextSimilarityMeasure Similarity = TextSimilarityMeasure.Cosine,
    bool ExcludeSessionItems = true,
    int BatchSize = 500)
{
    public static readonly LlmSeqSimOptions Default = new();
}

/// <summary>LLMSeqSim (Harte et al., RecSys 2023; dh-r/LLM-Sequential-Recommendation
/// <c>llm_seq_sim.py</c>), the LLM4SBR paper's section 5.2.2 baseline: no training and no LLM call; a
/// session's vector is its items' text embeddings (the <c>titles</c> stage's) combined as
/// <see cref="LlmSeqSimOptions"/> says, compared with every item's embedding; the session's own items
/// can be left out (the reference's <c>filter_prompt_items</c>: their score becomes -inf, so such a
/// target ranks last). Ranks use the one definition every model uses (<see cref="Ranking.RankOf"/>).</summary>
public static class LlmSeqSim
{
    public const string Version = "1";

    static readonly ImmutableArray<(SessionDecay Decay, string Name)> DecayNames =
    [
        (SessionDecay.None, "none"), (SessionDecay.ConstantLinear, "constant_linear"), (SessionDecay.ScalingLinear, "scaling_linear"),
        (SessionDecay.ScalingQuadratic, "scaling_quadratic"), (SessionDecay.ScalingCubic, "scaling_cubic"), (SessionDecay.Log, "log"),
        (SessionDecay.Harmonic, "harmonic"), (SessionDecay.HarmonicSquared, "harmonic_squared"),
    ];

    /// <summary>The keys of <c>model_params.llmseqsim</c>.</summary>
    public static ParameterSchema Parameters { get; } = new([
        ParameterSpec.Choice("combination", "last", ["last", "mean"], "session vector: the last item's embedding, or the (decay-weighted) mean of its items'"),
        ParameterSpec.Choice("decay", "none", [.. DecayNames.Select(d => d.Name)],
            "weights of the mean by position from the newest click i = 1..L (newest weighs 1): constant_linear max(1e-5, 1 - 0.1 (i-1)), "
            + "scaling_linear max(1e-5, 1 - (i-1)/L) (quadratic, cubic: its square, cube), log 1/(ln i + 1), harmonic 1/i, harmonic_squared 1/i^2; only with combination: mean"),
        ParameterSpec.Choice("similarity", "cosine", ["cosine", "dot", "euclidean"], "session vector against item vectors; euclidean = 1 / (1 + distance)"),
        ParameterSpec.Choice("exclude_session_items", "true", ["true", "false"], "leave the session's own items out of the ranking (the reference's filter_prompt_items)"),
    ]);

    /// <summary>The options of resolved <paramref name="parameters"/> (every key of <see cref="Parameters"/>),
    /// or an error for a combination that means nothing (a decay without the mean).</summary>
    public static Fin<LlmSeqSimOptions> Options(ModelParameters parameters)
    {
        var combination = parameters.Choice("combination") == "mean" ? SessionCombination.Mean : SessionCombination.Last;
        var decay = DecayNames.First(d => d.Name == parameters.Choice("decay")).Decay;
        if (combination == SessionCombination.Last && decay != SessionDecay.None)
            return Error.New($"model 'llmseqsim': decay '{parameters.Choice("decay")}' weighs a mean; it needs combination: mean (the last item's embedding has no weights)");
        var similarity = parameters.Choice("similarity") switch
        {
            "dot" => TextSimilarityMeasure.Dot,
            "euclidean" => TextSimilarityMeasure.Euclidean,
            _ => TextSimilarityMeasure.Cosine,
        };
        return new LlmSeqSimOptions(combination, decay, similarity, parameters.Choice("exclude_session_items") == "true");
    }

    /// <summary>The weight of each click of a session of <paramref name="length"/> clicks, oldest first
    /// (the reference's <c>compute_decay_array</c>; all ones for <see cref="SessionDecay.None"/>).</summary>
    public static double[] DecayWeights(SessionDecay decay, int length)
    {
        var weights = new double[length];
        for (int p = 0; p < length; p++)
        {
            int i = length - p; // 1 for the newest click
            double scaling = Math.Max(1e-5, 1.0 - (i - 1) / (double)length);
            weights[p] = decay switch
            {
                SessionDecay.None => 1,
                SessionDecay.ConstantLinear => Math.Max(1e-5, 1.0 - (i - 1) * 0.1),
                SessionDecay.ScalingLinear => scaling,
                SessionDecay.ScalingQuadratic => scaling * scaling,
                SessionDecay.ScalingCubic => scaling * scaling * scaling,
                SessionDecay.Log => 1 / (Math.Log(i) + 1),
                SessionDecay.Harmonic => 1.0 / i,
                _ => 1.0 / ((double)i * i),
            };
        }
        return weights;
    }

    /// <summary>Scores and ranks every sample of <paramref name="split"/> against the catalogue
    /// <paramref name="items"/> (row j: the item of dense index j + 1).</summary>
    public static Fin<EvaluationResult> Evaluate(TrainingSplit split, EmbeddingMatrix items, LlmSeqSimOptions options, Device device, IEnumerable<int>? cutoffs = null)
    {
        var accumulator = new MetricsAccumulator(cutoffs);
        var ranks = new int[split.Count];
        using var scorer = new LlmSeqSimScorer(items, options, device);
        var order = Enumerable.Range(0, split.Count).ToArray();
        int offset = 0;
        foreach (var slice in BatchSlices.Of(order, options.BatchSize))
        {
            using var scope = NewDisposeScope();
            var sessions = slice.Select(p => split.Samples[p].Items).ToArray();
            if (sessions.Any(s => s.IsDefaultOrEmpty))
                return Error.New("llmseqsim: a sample has no items");
            var targets = BatchTensors.Long([.. slice.Select(p => (long)split.Samples[p].Target - 1)], device);
            foreach (var r in ModelEvaluation.BatchRanks(scorer.Scores(sessions), targets)) { ranks[offset++] = r; accumulator.Add(r); }
        }
        return EvaluationResult.Of(accumulator.ToMetrics(), ImmutableArray.Create(ranks));
    }
}

/// <summary>The item table on the device, prepared for <see cref="LlmSeqSimOptions.Similarity"/> once,
/// scoring batches of sessions with one [B, d] x [d, n] product. Owns native memory: dispose it.</summary>
public sealed class LlmSeqSimScorer : IDisposable
{
    readonly EmbeddingMatrix _items;
    readonly LlmSeqSimOptions _options;
    readonly Device _device;
    readonly Tensor _table;         // [n, d]: unit rows for cosine, float64 for euclidean
    readonly Tensor? _squaredNorms; // [n], float64, for euclidean
    readonly Tensor _untitled;      // [1, n], true for an item without a title embedding (a zero row)

    public LlmSeqSimScorer(EmbeddingMatrix items, LlmSeqSimOptions options, Device device)
    {
        _items = items; _options = options; _device = device;
        using var noGrad = no_grad();
        using var raw = tensor(items.Data, [items.Rows, items.Dim], ScalarType.Float32).to(device);
        _table = options.Similarity switch
        {
            TextSimilarityMeasure.Cosine => F.normalize(raw, 2, 1),
            TextSimilarityMeasure.Dot => raw.clone(),
            // |s|^2 + |t|^2 - 2 s.t cancels badly in float32 for near vectors (the last item against
            // itself): in double, as scikit-learn's euclidean_distances upcasts float32.
            _ => raw.to(ScalarType.Float64),
        };
        _squaredNorms = options.Similarity == TextSimilarityMeasure.Euclidean ? _table.Squared().sum(1) : null;
        _untitled = LlmInfer.Untitled(raw);
    }

    /// <summary>Scores [B, n] of sessions given as dense item indices (oldest first); column j is the item
    /// of dense index j + 1. The session's own items get -inf when they are excluded.</summary>
    public Tensor Scores(IReadOnlyList<ImmutableArray<int>> sessions)
    {
        using var noGrad = no_grad();
        int dim = _items.Dim, n = _items.Rows;
        var vectors = new float[sessions.Count * dim];
        var excluded = new List<long>();
        for (int b = 0; b < sessions.Count; b++)
        {
            SessionVector(sessions[b], vectors.AsSpan(b * dim, dim));
            if (_options.ExcludeSessionItems)
                foreach (var item in sessions[b].Distinct()) excluded.Add((long)b * n + item - 1);
        }
        var query = tensor(vectors, [sessions.Count, dim], ScalarType.Float32).to(_device);
        Tensor scores;
        switch (_options.Similarity)
        {
            case TextSimilarityMeasure.Cosine:
                scores = F.normalize(query, 2, 1).mm(_table.t());
                break;
            case TextSimilarityMeasure.Dot:
                scores = query.mm(_table.t());
                break;
            default:
                var precise = query.to(ScalarType.Float64);
                var squared = precise.Squared().sum(1, keepdim: true).Plus(_squaredNorms!.unsqueeze(0)) - precise.mm(_table.t()).Times(2);
                scores = squared.AtLeast(0).sqrt().Plus(1).reciprocal().to(ScalarType.Float32);
                break;
        }
        if (excluded.Count > 0)
            scores.view(-1).IndexFillInPlace(0, tensor(excluded.ToArray(), ScalarType.Int64).to(_device), double.NegativeInfinity);
        // An item without a title has no text to be similar to: it ranks below every titled item.
        return scores.FillInPlace(_untitled, double.NegativeInfinity);
    }

    /// <summary>The session's vector: the last item's embedding, or the weighted mean (weights normalised
    /// to sum 1, as <c>np.average</c>), accumulated in double.</summary>
    void SessionVector(ImmutableArray<int> session, Span<float> into)
    {
        int dim = _items.Dim;
        if (_options.Combination == SessionCombination.Last)
        {
            _items.Row(session[^1] - 1).CopyTo(into);
            return;
        }
        var weights = LlmSeqSim.DecayWeights(_options.Decay, session.Length);
        double total = weights.Sum();
        var sum = new double[dim];
        for (int p = 0; p < session.Length; p++)
        {
            var row = _items.Row(session[p] - 1);
            double w = weights[p] / total;
            for (int j = 0; j < dim; j++) sum[j] += w * row[j];
        }
        for (int j = 0; j < dim; j++) into[j] = (float)sum[j];
    }

    public void Dispose()
    {
        _table.Dispose();
        _squaredNorms?.Dispose();
        _untitled.Dispose();
    }
}

using Llm4Sbr.Training.Models;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Evaluation;

/// <summary><see cref="Core.Evaluation.Ranking.RankOf"/> for a whole batch on the device: the rank of each
/// target is the number of items scoring greater than or equal to it (pessimistic on ties), and a NaN
/// target score ranks last.</summary>
public static class TorchRanking
{
    /// <param name="scores">[B, n] scores of items 1..n (column j = dense index j + 1).</param>
    /// <param name="targets">[B] 0-based target columns.</param>
    /// <returns>[B] int64 ranks in 1..n.</returns>
    public static Tensor Ranks(Tensor scores, Tensor targets)
    {
        var targetScores = scores.gather(1, targets.unsqueeze(1));
        var ranks = scores.ge(targetScores).sum(1, type: ScalarType.Int64);
        return where(targetScores.squeeze(1).isnan(), HeldScalars.FullLike(ranks, scores.shape[1]), ranks);
    }
}

using System.Collections.Immutable;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Evaluation;

/// <summary>Evaluation of trained models: the rank of each sample's target over the whole catalogue
/// (<see cref="EvaluationResult.Ranks"/>, in the set's order, so later stages can recompute other
/// cut-offs or run significance tests) and the metrics.</summary>
public static class ModelEvaluation
{
    /// <summary>Ranks the whole catalogue for every sample of <paramref name="split"/> (eval mode, no
    /// grad, batches of <paramref name="batchSize"/>) and feeds each rank to a
    /// <see cref="MetricsAccumulator"/>: every sample counts, a rank past K adds 0 at K.</summary>
    public static EvaluationResult Evaluate(SessionModel model, TrainingSplit split, Device device, int batchSize = 500, IEnumerable<int>? cutoffs = null)
    {
        var accumulator = new MetricsAccumulator(cutoffs);
        var ranks = new int[split.Count];
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            var order = Enumerable.Range(0, split.Count).ToArray();
            int offset = 0;
            foreach (var slice in BatchSlices.Of(order, batchSize))
            {
                using var scope = NewDisposeScope();
                var batch = BatchTensors.Create(split, slice, model.Input, device);
                var output = model.forward(batch);
                foreach (var r in BatchRanks(output.Scores, batch.Targets)) { ranks[offset++] = r; accumulator.Add(r); }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return EvaluationResult.Of(accumulator.ToMetrics(), ImmutableArray.Create(ranks));
    }

    /// <summary>Ranks of a batch: on the CPU straight from the score memory with the shared
    /// <see cref="Ranking.RankOf"/> (one vectorised pass per row); elsewhere with <see cref="TorchRanking"/>
    /// on the device (the same definition), copying back only the ranks.</summary>
    public static int[] BatchRanks(Tensor scores, Tensor targets)
    {
        if (scores.device_type != DeviceType.CPU)
            return [.. TorchRanking.Ranks(scores, targets).cpu().data<long>().ToArray().Select(r => (int)r)];
        var contiguous = scores.contiguous();
        var all = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(contiguous.bytes);
        var columns = targets.data<long>().ToArray();
        int n = (int)scores.shape[1];
        var ranks = new int[columns.Length];
        for (int b = 0; b < ranks.Length; b++)
            ranks[b] = Ranking.RankOf(all.Slice(b * n, n), (int)columns[b], firstCandidate: 0);
        return ranks;
    }
}

using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>TAGNN's target-attention term of the scores, computed without the [B, N, H] tensor.</summary>
public static class TargetAttention
{
    /// <summary>For each session b and item j: sum_i beta_bij (v_j . h_i), beta_b.j = softmax over the
    /// clicks i of session b of (v_j . q_i), with h = <paramref name="clicks"/> [P, H], q =
    /// <paramref name="queries"/> (W_t h) [P, H], v = <paramref name="table"/> [N, H]. Items are taken
    /// <paramref name="chunk"/> at a time, so the largest intermediate is [P, chunk]; returns [B, N].</summary>
    public static Tensor Scores(Tensor clicks, Tensor queries, Tensor positionSessions, long sessions, Tensor table, int chunk)
    {
        if (TargetAttentionCpu.Handles(clicks, queries, table) && TargetAttentionCpu.SessionRows.Of(positionSessions, sessions) is { } rows)
            return TargetAttentionCpu.apply(clicks, queries, table, rows, chunk, is_grad_enabled());
        return Composite(clicks, queries, positionSessions, sessions, table, chunk);
    }

    /// <summary>The same term as torch operators (differentiated by autograd): the form off the CPU, and
    /// the reference the CPU node is tested against.</summary>
    public static Tensor Composite(Tensor clicks, Tensor queries, Tensor positionSessions, long sessions, Tensor table, int chunk)
    {
        long items = table.shape[0];
        var parts = new List<Tensor>();
        for (long start = 0; start < items; start += chunk)
        {
            var v = table.narrow(0, start, Math.Min(chunk, items - start));             // [C, H]
            var beta = SegmentSoftmax.Apply(queries.matmul(v.t()), positionSessions, sessions); // [P, C]
            var products = clicks.matmul(v.t());                                        // [P, C]: v_j . h_i
            parts.Add(zeros([sessions, v.shape[0]], clicks.dtype, clicks.device).index_add(0, positionSessions, beta * products, 1));
        }
        return parts.Count == 1 ? parts[0] : cat(parts.ToArray(), 1);
    }
}

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
        chunk = ChunkFor(clicks.shape[0], chunk);
        if (TargetAttentionCpu.Handles(clicks, queries, table) && TargetAttentionCpu.SessionRows.Of(positionSessions, sessions) is { } rows)
            return TargetAttentionCpu.apply(clicks, queries, table, rows, chunk, is_grad_enabled());
        return Composite(clicks, queries, positionSessions, sessions, table, chunk);
    }

    /// <summary>Floats in one [clicks, chunk] block of logits at most: 16 MB, half of glibc's largest
    /// threshold for serving an allocation from fresh pages (32 MB), so blocks are reused from the heap.</summary>
    public const long BlockFloats = 4L << 20;

    /// <summary>The items a chunk takes for <paramref name="clicks"/> clicks: <paramref name="chunk"/>, or fewer
    /// where a [clicks, chunk] block would pass <see cref="BlockFloats"/>.
    /// <para>Why: an evaluation batch of 500 Beauty prefixes has about 5,000 clicks; at 2,048 items a block
    /// was 41 MB, so each of the two per chunk was mapped and unmapped afresh, page-faulting and zeroing its
    /// memory: on the idle machine the term took 1.2 s a batch against 0.10-0.12 s at 256 to 1,024 items
    /// (<c>Llm4Sbr.Training.Bench mode=target</c>, measured before this bound existed). A chunk changes no score: each item's term is computed on its own.</para></summary>
    public static int ChunkFor(long clicks, int chunk) => (int)Math.Max(1, Math.Min(chunk, BlockFloats / Math.Max(1, clicks)));

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
            parts.Add(zeros([sessions, v.shape[0]], clicks.dtype, clicks.device).IndexAdd(0, positionSessions, beta * products));
        }
        return parts.Count == 1 ? parts[0] : cat(parts.ToArray(), 1);
    }
}

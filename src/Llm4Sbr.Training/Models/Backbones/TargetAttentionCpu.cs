using static Llm4Sbr.Training.Models.CpuMemory;
using System.Buffers;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary><see cref="TargetAttention.Scores"/> on the CPU as one autograd node with a hand-derived
/// backward, for float32 CPU tensors whose clicks are grouped by session (as ragged graph batches are).
/// <para>Why: the composite form makes about eight [clicks, items] tensors forward and as many backward
/// (shift, exp, sums, gathers, quotients, products); on Beauty a batch's 850 clicks x 12,101 items is
/// 41 MB a tensor, so a TAGNN step was bound by memory passes, not by its two products. Here the
/// element-wise work is fused per session into a few vectorised passes, and the products stay torch's.</para>
/// <para>The products are stacked: [h; q] E_c^T is one product a chunk instead of two, and [dl; dg] E_c
/// one instead of two (a taller product runs nearer MKL's peak; <c>Bench mode=target clicks=851
/// sessions=100 grad=1 chunks=512</c>, old and new builds A B three times: 80.9-81.4 ms against 82.3-87.0
/// for the term forward and backward). Each element of a product is the same dot product, in the same
/// order, as in its own product, so the results are those of the two-product form bit for bit (a TAGNN
/// fit's losses and weights after 25 steps, and its evaluation scores, are unchanged). dE keeps its two
/// products, dl^T q + dg^T h: one product over [dl; dg] would add the two sums in another order.</para>
/// <para>With e_ij = exp(l_ij - m_bj) (l = q E^T, m the session's per-item maximum), den_bj = sum_i e_ij,
/// beta = e / den, g = h E^T and t_bj = sum_i beta_ij g_ij: dl_ij = beta_ij (g_ij - t_bj) dt_bj and
/// dg_ij = beta_ij dt_bj; then dq = dl E, dh = dg E, dE = dl^T q + dg^T h.</para></summary>
internal sealed class TargetAttentionCpu : autograd.SingleTensorFunction<TargetAttentionCpu>
{
    private const string StateKey = "state";

    public override string Name => nameof(TargetAttentionCpu);

    /// <summary>The clicks' sessions as contiguous row ranges, [Start, End) per session.</summary>
    public sealed record SessionRows(int[] Start, int[] End)
    {
        public int Sessions => Start.Length;

        /// <summary>The ranges of <paramref name="positionSessions"/>, or null when a session's clicks are not contiguous.</summary>
        public static SessionRows? Of(Tensor positionSessions, long sessions)
        {
            var owners = positionSessions.cpu().data<long>().ToArray();
            var start = new int[sessions];
            var end = new int[sessions];
            for (int i = 0; i < owners.Length; i++)
            {
                int b = (int)owners[i];
                if (end[b] == 0) { start[b] = i; end[b] = i + 1; }
                else if (end[b] == i) end[b] = i + 1;
                else return null;
            }
            return new SessionRows(start, end);
        }
    }

    /// <summary>What backward needs: the items' table, [h; q], the scores t, the softmax denominators and
    /// every chunk's [g; exp(logits - max)] block (a chunk's width is its block's).</summary>
    private sealed record State(SessionRows Rows, Tensor Table, Tensor Stacked, Tensor Scores, Tensor Denominators, List<Tensor> Blocks);

    /// <summary>True where this node applies: float32 tensors in CPU memory.</summary>
    public static bool Handles(Tensor clicks, Tensor queries, Tensor table) =>
        new[] { clicks, queries, table }.All(t => t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32);

    /// <summary>vars: clicks [P, H], queries [P, H], table [N, H], <see cref="SessionRows"/>, chunk (int), keep for backward (bool).</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var clicks = ((Tensor)vars[0]).contiguous();
        var queries = ((Tensor)vars[1]).contiguous();
        var table = ((Tensor)vars[2]).contiguous();
        var rows = (SessionRows)vars[3];
        int chunk = (int)vars[4];
        bool keep = (bool)vars[5];
        int items = (int)table.shape[0];
        int positions = (int)clicks.shape[0];
        // [h; q]: one product a chunk gives g (rows 0..P) and the logits (rows P..2P).
        var stacked = cat([clicks, queries], 0);
        var scores = empty([rows.Sessions, items], ScalarType.Float32);
        var denominators = empty([rows.Sessions, items], ScalarType.Float32);
        var blocks = new List<Tensor>();
        for (int start = 0; start < items; start += chunk)
        {
            int width = Math.Min(chunk, items - start);
            using var v = table.narrow(0, start, width);
            var block = stacked.mm(v.t());                               // [g; logits], the logits then exp(logits - max) in place
            Forward(rows, block, positions, scores, denominators, start, width, items);
            if (keep) blocks.Add(block);
            else block.Dispose();
        }
        if (keep) ctx.save_data(StateKey, new State(rows, table, stacked, scores.clone(), denominators, blocks));
        else { denominators.Dispose(); stacked.Dispose(); }
        return scores;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var s = (State)ctx.get_data(StateKey);
        var upstream = gradOutput.contiguous();
        int items = (int)s.Table.shape[0];
        int positions = (int)s.Stacked.shape[0] / 2;
        using var clicks = s.Stacked.narrow(0, 0, positions);
        using var queries = s.Stacked.narrow(0, positions, positions);
        var dClicks = zeros_like(clicks);
        var dQueries = zeros_like(queries);
        var dTable = empty_like(s.Table);
        int start = 0;
        foreach (var block in s.Blocks)
        {
            int width = (int)block.shape[1];
            Backward(s.Rows, block, positions, s.Scores, s.Denominators, upstream, start, width, items);
            using var v = s.Table.narrow(0, start, width);
            using var dl = block.narrow(0, 0, positions);
            using var dg = block.narrow(0, positions, positions);
            using (var both = block.mm(v))                               // [dl v; dg v] = [dq; dh] of this chunk
            using (var dq = both.narrow(0, 0, positions))
            using (var dh = both.narrow(0, positions, positions))
            {
                dQueries.PlusInPlace(dq);
                dClicks.PlusInPlace(dh);
            }
            using var rowsGrad = dTable.narrow(0, start, width);
            rowsGrad.addmm_(dl.t(), queries, 0, 1);                      // dl^T q, then + dg^T h
            using (var clicksPart = dg.t().mm(clicks)) rowsGrad.PlusInPlace(clicksPart);
            block.Dispose();
            start += width;
        }
        // One entry per argument of apply: the three tensors, then nothing for the rows, chunk and flag.
        return [dClicks, dQueries, dTable, null!, null!, null!];
    }

    /// <summary>Per session: e = exp(l - max) over its rows, den = sum e, scores = sum e g / den; the
    /// block is [g; l] ([2P, width]), l becomes e in place.</summary>
    private static void Forward(SessionRows rows, Tensor block, int positions, Tensor scores, Tensor denominators, int start, int width, int items)
    {
        // Spans cannot be captured by the parallel body: each session takes its own from the tensors.
        Parallel.For(0, rows.Sessions, b =>
        {
            var gs = Floats(block)[..(positions * width)];
            var es = Floats(block)[(positions * width)..];
            var score = Floats(scores).Slice(b * items + start, width);
            var den = Floats(denominators).Slice(b * items + start, width);
            int first = rows.Start[b], end = rows.End[b];
            if (first == end) { score.Clear(); den.Fill(1); return; }
            var max = ArrayPool<float>.Shared.Rent(width);
            try
            {
                var m = max.AsSpan(0, width);
                es.Slice(first * width, width).CopyTo(m);
                for (int r = first + 1; r < end; r++) TensorPrimitives.Max(es.Slice(r * width, width), m, m);
                den.Clear(); score.Clear();
                for (int r = first; r < end; r++)
                {
                    var row = es.Slice(r * width, width);
                    TensorPrimitives.Subtract(row, m, row);
                    TensorPrimitives.Exp(row, row);
                    TensorPrimitives.Add(den, row, den);
                    TensorPrimitives.MultiplyAdd(row, gs.Slice(r * width, width), score, score);
                }
                TensorPrimitives.Divide(score, den, score);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(max);
            }
        });
    }

    /// <summary>Per row of the block [g; e]: beta = e / den; g &lt;- dl = beta (g - t) dt; e &lt;- dg = beta dt
    /// (the block becomes [dl; dg]).</summary>
    private static void Backward(SessionRows rows, Tensor block, int positions, Tensor scores, Tensor denominators, Tensor upstream, int start, int width, int items)
    {
        Parallel.For(0, rows.Sessions, b =>
        {
            var gs = Floats(block)[..(positions * width)];
            var es = Floats(block)[(positions * width)..];
            var t = Floats(scores).Slice(b * items + start, width);
            var den = Floats(denominators).Slice(b * items + start, width);
            var dt = Floats(upstream).Slice(b * items + start, width);
            for (int r = rows.Start[b]; r < rows.End[b]; r++)
            {
                var er = es.Slice(r * width, width);
                var gr = gs.Slice(r * width, width);
                TensorPrimitives.Divide(er, den, er);      // beta
                TensorPrimitives.Multiply(er, dt, er);     // beta dt = dg
                TensorPrimitives.Subtract(gr, t, gr);      // g - t
                TensorPrimitives.Multiply(gr, er, gr);     // (g - t) beta dt = dl
            }
        });
    }

}

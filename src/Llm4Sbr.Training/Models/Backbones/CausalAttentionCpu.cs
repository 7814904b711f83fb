using static Llm4Sbr.Training.Models.CpuMemory;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>Causal multi-head attention within each session over packed clicks, on the CPU as one
/// autograd node with a hand-derived backward: click i of a session attends to the clicks 0..i of the
/// same session, per head softmax(q_i k_j^T / sqrt(d)) with the (optional) dropout keep-mask applied to
/// the weights, then the weighted sum of v_j.
/// <para>Why: the padded form lays a batch out as [B, L] with L the longest session of the batch (up to
/// 50 on Beauty, against 8.5 clicks on average), so its [B, L, H] and [B, L, L] tensors and their
/// masks were mostly padding; a SASRec step was bound by those memory passes. Here the work is the
/// sum over sessions of n (n + 1) / 2 pairs, done per session in a few vectorised loops.</para>
/// <para>Backward, with a the weights before dropout, m the keep-mask (scaled by 1 / (1 - p)) and
/// a' = a m: dv_j += a'_ij do_i; da_ij = m_ij (do_i . v_j); dl_ij = a_ij (da_ij - sum_k a_ik da_ik);
/// dq_i += sum_j dl_ij k_j / sqrt(d); dk_j += dl_ij q_i / sqrt(d).</para></summary>
internal sealed class CausalAttentionCpu : autograd.SingleTensorFunction<CausalAttentionCpu>
{
    private const string StateKey = "state";

    public override string Name => nameof(CausalAttentionCpu);

    private sealed record Saved(PackedSessions Sessions, int Heads, Tensor Queries, Tensor Keys, Tensor Values, Tensor Weights, Tensor? KeepMask);

    /// <summary>True where this node applies: float32 tensors in CPU memory.</summary>
    public static bool Handles(params Tensor[] tensors) =>
        tensors.All(t => t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32);

    /// <summary>vars: queries, keys, values [P, H] packed session after session, <see cref="PackedSessions"/>,
    /// heads (int), keep-mask [heads * pairs] or null (no dropout), keep for backward (bool).</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var queries = ((Tensor)vars[0]).contiguous();
        var keys = ((Tensor)vars[1]).contiguous();
        var values = ((Tensor)vars[2]).contiguous();
        var sessions = (PackedSessions)vars[3];
        int heads = (int)vars[4];
        var keepMask = ((Tensor?)vars[5])?.contiguous();
        bool keep = (bool)vars[6];
        int hidden = (int)queries.shape[1];
        var output = zeros_like(queries);
        var weights = empty([heads * sessions.Pairs], ScalarType.Float32);
        Parallel.For(0, sessions.Count, b => ForwardSession(b, sessions, heads, hidden, queries, keys, values, keepMask, weights, output));
        if (keep) ctx.save_data(StateKey, new Saved(sessions, heads, queries, keys, values, weights, keepMask));
        else weights.Dispose();
        return output;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var s = (Saved)ctx.get_data(StateKey);
        var upstream = gradOutput.contiguous();
        int hidden = (int)s.Queries.shape[1];
        var dQueries = zeros_like(s.Queries);
        var dKeys = zeros_like(s.Keys);
        var dValues = zeros_like(s.Values);
        Parallel.For(0, s.Sessions.Count, b => BackwardSession(b, s, hidden, upstream, dQueries, dKeys, dValues));
        s.Weights.Dispose();
        // One entry per argument of apply: three tensors, then nothing for the sessions, heads, mask and flag.
        return [dQueries, dKeys, dValues, null!, null!, null!, null!];
    }

    private static void ForwardSession(int b, PackedSessions sessions, int heads, int hidden, Tensor queries, Tensor keys,
        Tensor values, Tensor? keepMask, Tensor weights, Tensor output)
    {
        int d = hidden / heads, start = sessions.Start[b], n = sessions.Length[b];
        float scale = 1f / MathF.Sqrt(d);
        var q = Floats(queries);
        var k = Floats(keys);
        var v = Floats(values);
        var o = Floats(output);
        var w = Floats(weights);
        var m = keepMask is null ? default : Floats(keepMask);
        for (int h = 0; h < heads; h++)
        {
            long headBase = (long)h * sessions.Pairs;
            for (int i = 0; i < n; i++)
            {
                var a = w.Slice((int)(headBase + sessions.PairStart[b] + i * (i + 1) / 2), i + 1);
                var qi = q.Slice((start + i) * hidden + h * d, d);
                for (int j = 0; j <= i; j++) a[j] = TensorPrimitives.Dot(qi, k.Slice((start + j) * hidden + h * d, d)) * scale;
                TensorPrimitives.SoftMax(a, a);
                var oi = o.Slice((start + i) * hidden + h * d, d);
                var mi = keepMask is null ? default : m.Slice((int)(headBase + sessions.PairStart[b] + i * (i + 1) / 2), i + 1);
                for (int j = 0; j <= i; j++)
                    TensorPrimitives.MultiplyAdd(v.Slice((start + j) * hidden + h * d, d), keepMask is null ? a[j] : a[j] * mi[j], oi, oi);
            }
        }
    }

    private static void BackwardSession(int b, Saved s, int hidden, Tensor upstream, Tensor dQueries, Tensor dKeys, Tensor dValues)
    {
        var sessions = s.Sessions;
        int d = hidden / s.Heads, start = sessions.Start[b], n = sessions.Length[b];
        float scale = 1f / MathF.Sqrt(d);
        var q = Floats(s.Queries);
        var k = Floats(s.Keys);
        var v = Floats(s.Values);
        var w = Floats(s.Weights);
        var m = s.KeepMask is null ? default : Floats(s.KeepMask);
        var dO = Floats(upstream);
        var dq = Floats(dQueries);
        var dk = Floats(dKeys);
        var dv = Floats(dValues);
        Span<float> da = n <= 256 ? stackalloc float[n] : new float[n];
        for (int h = 0; h < s.Heads; h++)
        {
            long headBase = (long)h * sessions.Pairs;
            for (int i = 0; i < n; i++)
            {
                int pair = (int)(headBase + sessions.PairStart[b] + i * (i + 1) / 2);
                var a = w.Slice(pair, i + 1);
                var doi = dO.Slice((start + i) * hidden + h * d, d);
                var dai = da[..(i + 1)];
                for (int j = 0; j <= i; j++)
                {
                    float keepScale = s.KeepMask is null ? 1f : m[pair + j];
                    var vj = v.Slice((start + j) * hidden + h * d, d);
                    TensorPrimitives.MultiplyAdd(doi, a[j] * keepScale, dv.Slice((start + j) * hidden + h * d, d), dv.Slice((start + j) * hidden + h * d, d));
                    dai[j] = TensorPrimitives.Dot(doi, vj) * keepScale;
                }
                float centre = TensorPrimitives.Dot(a, dai);
                var qi = q.Slice((start + i) * hidden + h * d, d);
                var dqi = dq.Slice((start + i) * hidden + h * d, d);
                for (int j = 0; j <= i; j++)
                {
                    float dl = a[j] * (dai[j] - centre) * scale;
                    TensorPrimitives.MultiplyAdd(k.Slice((start + j) * hidden + h * d, d), dl, dqi, dqi);
                    var dkj = dk.Slice((start + j) * hidden + h * d, d);
                    TensorPrimitives.MultiplyAdd(qi, dl, dkj, dkj);
                }
            }
        }
    }

}

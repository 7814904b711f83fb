using static Llm4Sbr.Training.Models.CpuMemory;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>The clicks of a batch of right-aligned sequences in time-major order, as a packed RNN walks
/// them: rows sorted by length, longest first (<see cref="Order"/>), then step by step the
/// <see cref="BatchSizes"/>[t] rows still running, so that the rows of step t are a prefix of those of
/// step t - 1. <see cref="PaddedIndex"/> is each packed click's place in the padded [B x L] layout,
/// <see cref="LastClicks"/> each batch row's last click in the packing.</summary>
public sealed record TimeMajorPacking(long[] Order, long[] BatchSizes, long[] PaddedIndex, long[] LastClicks)
{
    /// <summary>The packing of rows with <paramref name="lengths"/> clicks each, padded to <paramref name="length"/> columns. Pure.</summary>
    public static TimeMajorPacking Of(ReadOnlySpan<long> lengths, int length)
    {
        var order = new long[lengths.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var keys = lengths.ToArray();
        // Stable: equal lengths keep their batch order, so the packing is a function of the batch alone.
        var sorted = order.OrderByDescending(i => keys[i]).ToArray();
        int steps = sorted.Length == 0 ? 0 : (int)keys[sorted[0]];
        var batchSizes = new long[steps];
        long total = 0;
        for (int t = 0; t < steps; t++)
        {
            long running = 0;
            while (running < sorted.Length && keys[sorted[running]] > t) running++;
            batchSizes[t] = running;
            total += running;
        }
        var padded = new long[total];
        var lastClicks = new long[lengths.Length];
        int k = 0;
        for (int t = 0; t < steps; t++)
            for (int i = 0; i < batchSizes[t]; i++)
            {
                if (keys[sorted[i]] == t + 1) lastClicks[sorted[i]] = k;
                padded[k++] = sorted[i] * length + t;
            }
        return new TimeMajorPacking(sorted, batchSizes, padded, lastClicks);
    }
}

/// <summary>The recurrence of a bias-free GRU layer (torch's gate order r, z, n:
/// r = s(x_r + h W_hr), z = s(x_z + h W_hz), n = tanh(x_n + r (h W_hn)), h' = (1 - z) n + z h) over a
/// time-major packing, on the CPU as one autograd node with a hand-derived backward. Returns each row's
/// state after its last click, [B, H], rows in the packing's order.
/// <para>Why: torch's packed GRU runs a dozen small operators a step forward and twice as many backward;
/// a Beauty batch walks up to 50 steps, so a GRU4Rec step was bound by operator dispatch, not by its
/// products. Here a step is one product forward and one backward, the gate arithmetic is a few vectorised
/// passes per row, and the weight gradient is one product over all steps. The input projection
/// (x W_i^T, one product over every click) stays an ordinary torch operator outside the node.</para>
/// <para>Backward, with g = dL/dh': dn = g (1 - z), dz = g (h - n), then dn' = dn (1 - n^2),
/// dz' = dz z (1 - z), dr' = dn' (h W_hn) r (1 - r); dx = [dr', dz', dn'], d(h W_h) = [dr', dz', dn' r],
/// dh = d(h W_h) W_h + g z, dW_h = sum over steps of d(h W_h)^T h.</para></summary>
internal sealed class GruRecurrenceCpu : autograd.SingleTensorFunction<GruRecurrenceCpu>
{
    private const string StateKey = "state";

    public override string Name => nameof(GruRecurrenceCpu);

    private sealed record Saved(long[] BatchSizes, Tensor Weight, Tensor Previous, Tensor Reset, Tensor Update, Tensor Candidate, Tensor HiddenCandidate);

    /// <summary>True where this node applies: float32 tensors in CPU memory.</summary>
    public static bool Handles(Tensor inputs, Tensor weight) =>
        inputs.device_type == DeviceType.CPU && weight.device_type == DeviceType.CPU
        && inputs.dtype == ScalarType.Float32 && weight.dtype == ScalarType.Float32;

    /// <summary>vars: input gates x W_i^T [N, 3H] in packed order, W_h [3H, H], batch sizes (long[]), keep for backward (bool).</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var gates = ((Tensor)vars[0]).contiguous();
        var weight = ((Tensor)vars[1]).contiguous();
        var batchSizes = (long[])vars[2];
        bool keep = (bool)vars[3];
        int hidden = (int)weight.shape[1];
        long packed = gates.shape[0];
        long rows = batchSizes.Length == 0 ? 0 : batchSizes[0];
        var state = zeros([rows, hidden], ScalarType.Float32);
        var previous = empty([packed, hidden], ScalarType.Float32);
        var reset = empty([packed, hidden], ScalarType.Float32);
        var update = empty([packed, hidden], ScalarType.Float32);
        var candidate = empty([packed, hidden], ScalarType.Float32);
        var hiddenCandidate = empty([packed, hidden], ScalarType.Float32);
        using var weightT = weight.t();
        int offset = 0;
        foreach (long size in batchSizes)
        {
            int b = (int)size;
            using var h = state.narrow(0, 0, b);
            using var hh = h.mm(weightT);                                       // [b, 3H]
            int first = offset;
            Rows(b, i => ForwardRow(first + i, i, hidden, gates, hh, state, previous, reset, update, candidate, hiddenCandidate));
            offset += b;
        }
        if (keep) ctx.save_data(StateKey, new Saved(batchSizes, weight, previous, reset, update, candidate, hiddenCandidate));
        else { previous.Dispose(); reset.Dispose(); update.Dispose(); candidate.Dispose(); hiddenCandidate.Dispose(); }
        return state;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var s = (Saved)ctx.get_data(StateKey);
        int hidden = (int)s.Weight.shape[1];
        long packed = s.Previous.shape[0];
        var dState = gradOutput.contiguous().clone();                          // dL/dh of every row's latest step
        var dGates = empty([packed, 3 * hidden], ScalarType.Float32);
        var dHidden = empty([packed, 3 * hidden], ScalarType.Float32);
        var direct = empty([dState.shape[0], hidden], ScalarType.Float32);
        int offset = (int)packed;
        for (int t = s.BatchSizes.Length - 1; t >= 0; t--)
        {
            int b = (int)s.BatchSizes[t];
            offset -= b;
            int first = offset;
            Rows(b, i => BackwardRow(first + i, i, hidden, dState, dGates, dHidden, direct, s));
            // dL/dh of the step before: d(h W_h) W_h + g z, for the rows still running then.
            using var stepHidden = dHidden.narrow(0, offset, b);
            using var rowsState = dState.narrow(0, 0, b);
            using var rowsDirect = direct.narrow(0, 0, b);
            using var before = addmm(rowsDirect, stepHidden, s.Weight, 1, 1);
            rowsState.copy_(before);
        }
        var dWeight = dHidden.t().mm(s.Previous);
        dHidden.Dispose(); direct.Dispose(); dState.Dispose();
        s.Previous.Dispose(); s.Reset.Dispose(); s.Update.Dispose(); s.Candidate.Dispose(); s.HiddenCandidate.Dispose();
        // One entry per argument of apply: the two tensors, then nothing for the batch sizes and the flag.
        return [dGates, dWeight, null!, null!];
    }

    /// <summary>Runs <paramref name="row"/> for rows 0..<paramref name="count"/>, in parallel when there
    /// are enough of them to pay for it (the rows of a step are independent).</summary>
    private static void Rows(int count, Action<int> row)
    {
        if (count < 16) { for (int i = 0; i < count; i++) row(i); return; }
        Parallel.For(0, count, row);
    }

    /// <summary>Step of packed click <paramref name="p"/>, batch row <paramref name="i"/>: the gates and the new state.</summary>
    private static void ForwardRow(int p, int i, int hidden, Tensor gates, Tensor hh, Tensor state, Tensor previous,
        Tensor reset, Tensor update, Tensor candidate, Tensor hiddenCandidate)
    {
        var xi = Floats(gates).Slice(p * 3 * hidden, 3 * hidden);
        var hi = Floats(hh).Slice(i * 3 * hidden, 3 * hidden);
        var ri = Floats(reset).Slice(p * hidden, hidden);
        var zi = Floats(update).Slice(p * hidden, hidden);
        var ni = Floats(candidate).Slice(p * hidden, hidden);
        var hni = Floats(hiddenCandidate).Slice(p * hidden, hidden);
        var si = Floats(state).Slice(i * hidden, hidden);
        si.CopyTo(Floats(previous).Slice(p * hidden, hidden));
        TensorPrimitives.Add(xi[..hidden], hi[..hidden], ri);
        TensorPrimitives.Sigmoid(ri, ri);
        TensorPrimitives.Add(xi.Slice(hidden, hidden), hi.Slice(hidden, hidden), zi);
        TensorPrimitives.Sigmoid(zi, zi);
        hi.Slice(2 * hidden, hidden).CopyTo(hni);
        TensorPrimitives.MultiplyAdd(ri, hni, xi.Slice(2 * hidden, hidden), ni);
        TensorPrimitives.Tanh(ni, ni);
        // h' = n + z (h - n), written over the row's state (its old value is saved in previous).
        TensorPrimitives.Subtract(si, ni, si);
        TensorPrimitives.MultiplyAdd(zi, si, ni, si);
    }

    /// <summary>Backward of packed click <paramref name="p"/>, batch row <paramref name="i"/>: its input-gate
    /// gradient, the gradient of its h W_h^T, and the direct path g z.</summary>
    private static void BackwardRow(int p, int i, int hidden, Tensor dState, Tensor dGates, Tensor dHidden, Tensor direct, Saved s)
    {
        Span<float> tmp = stackalloc float[hidden];
        var gi = Floats(dState).Slice(i * hidden, hidden);
        var ri = Floats(s.Reset).Slice(p * hidden, hidden);
        var zi = Floats(s.Update).Slice(p * hidden, hidden);
        var ni = Floats(s.Candidate).Slice(p * hidden, hidden);
        var dxi = Floats(dGates).Slice(p * 3 * hidden, 3 * hidden);
        var dhi = Floats(dHidden).Slice(p * 3 * hidden, 3 * hidden);
        var dr = dxi[..hidden];
        var dz = dxi.Slice(hidden, hidden);
        var dn = dxi.Slice(2 * hidden, hidden);
        // dn' = g (1 - z) (1 - n^2)
        TensorPrimitives.Multiply(gi, zi, dn);
        TensorPrimitives.Subtract(gi, dn, dn);
        TensorPrimitives.Multiply(ni, ni, tmp);
        TensorPrimitives.Negate(tmp, tmp);
        TensorPrimitives.Add(tmp, 1f, tmp);
        TensorPrimitives.Multiply(dn, tmp, dn);
        // dz' = g (h - n) z (1 - z)
        TensorPrimitives.Subtract(Floats(s.Previous).Slice(p * hidden, hidden), ni, dz);
        TensorPrimitives.Multiply(dz, gi, dz);
        TensorPrimitives.Negate(zi, tmp);
        TensorPrimitives.Add(tmp, 1f, tmp);
        TensorPrimitives.Multiply(tmp, zi, tmp);
        TensorPrimitives.Multiply(dz, tmp, dz);
        // dr' = dn' (h W_hn) r (1 - r)
        TensorPrimitives.Negate(ri, tmp);
        TensorPrimitives.Add(tmp, 1f, tmp);
        TensorPrimitives.Multiply(tmp, ri, tmp);
        TensorPrimitives.Multiply(tmp, Floats(s.HiddenCandidate).Slice(p * hidden, hidden), tmp);
        TensorPrimitives.Multiply(tmp, dn, dr);
        // d(h W_h) = [dr', dz', dn' r]; the direct path to h is g z.
        dxi[..(2 * hidden)].CopyTo(dhi[..(2 * hidden)]);
        TensorPrimitives.Multiply(dn, ri, dhi.Slice(2 * hidden, hidden));
        TensorPrimitives.Multiply(gi, zi, Floats(direct).Slice(i * hidden, hidden));
    }

}

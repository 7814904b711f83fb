using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Llm4Sbr.Training.Models;

/// <summary>Softmax over ragged segments: the rows of <c>logits</c> [P, C] that share a segment (a
/// session's clicks in a ragged graph batch) are normalised together, per column. It is the reference's
/// softmax over a padded [B, L] axis, restricted to the real clicks (the references also count padded
/// positions in the denominator, which makes a session's score depend on its batch's longest session).</summary>
public static class SegmentSoftmax
{
    /// <param name="logits">[P, C].</param>
    /// <param name="segments">[P], the segment (0..count-1) of each row.</param>
    /// <param name="count">The number of segments.</param>
    public static Tensor Apply(Tensor logits, Tensor segments, long count)
    {
        using var shift = Shift(logits, segments, count);
        var e = exp(logits - shift.index_select(0, segments));
        var sums = zeros([count, logits.shape[1]], logits.dtype, logits.device).IndexAdd(0, segments, e);
        return e / sums.index_select(0, segments);
    }

    /// <summary>Each segment's per-column maximum, [count, C]. It only keeps exp in range (softmax does
    /// not depend on it), so it carries no gradient. TorchSharp 0.107 has no segment or scatter max
    /// (<c>index_reduce</c> is declared but not implemented): on the CPU it is one vectorised pass over
    /// the logits' memory; elsewhere the rows are gathered into a padded [count, longest, C] block
    /// (a segment's own rows fill its padding, which leaves its maximum unchanged).</summary>
    public static Tensor Shift(Tensor logits, Tensor segments, long count)
    {
        using var _ = no_grad();
        var detached = logits.detach().contiguous();
        long columns = detached.shape[1];
        var owners = segments.cpu().data<long>().ToArray();
        if (detached.device_type == DeviceType.CPU && detached.dtype == ScalarType.Float32)
        {
            var result = HeldScalars.Full([count, columns], double.NegativeInfinity, ScalarType.Float32);
            var maxima = MemoryMarshal.Cast<byte, float>(result.bytes);
            var rows = MemoryMarshal.Cast<byte, float>(detached.bytes);
            int c = (int)columns;
            for (int i = 0; i < owners.Length; i++)
            {
                var target = maxima.Slice((int)owners[i] * c, c);
                TensorPrimitives.Max(rows.Slice(i * c, c), target, target);
            }
            return result;
        }
        var members = new List<long>[count];
        for (int i = 0; i < count; i++) members[i] = [];
        for (int i = 0; i < owners.Length; i++) members[owners[i]].Add(i);
        int longest = Math.Max(1, members.Max(m => m.Count));
        var padded = new long[count * longest];
        for (int s = 0; s < count; s++)
            for (int j = 0; j < longest; j++)
                padded[s * longest + j] = members[s].Count == 0 ? 0 : members[s][Math.Min(j, members[s].Count - 1)];
        using var index = tensor(padded, dtype: ScalarType.Int64).to(detached.device);
        return detached.index_select(0, index).view(count, longest, columns).amax([1L]);
    }
}

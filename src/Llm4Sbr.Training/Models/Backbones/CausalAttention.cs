using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>The sessions of a batch of packed clicks (session after session, each in click order):
/// session b holds rows [<see cref="Start"/>[b], Start[b] + <see cref="Length"/>[b]); its causal
/// attention pairs (query i, key j &lt;= i) start at <see cref="PairStart"/>[b] in a list of
/// <see cref="Pairs"/> pairs, query i's keys at PairStart[b] + i (i + 1) / 2.</summary>
public sealed record PackedSessions(int[] Start, int[] Length, long[] PairStart, long Pairs)
{
    public int Count => Start.Length;

    /// <summary>The sessions of rows with <paramref name="lengths"/> clicks each, packed in that order. Pure.</summary>
    public static PackedSessions Of(ReadOnlySpan<long> lengths)
    {
        var start = new int[lengths.Length];
        var length = new int[lengths.Length];
        var pairStart = new long[lengths.Length];
        int row = 0;
        long pairs = 0;
        for (int b = 0; b < lengths.Length; b++)
        {
            start[b] = row;
            length[b] = (int)lengths[b];
            pairStart[b] = pairs;
            row += length[b];
            pairs += (long)length[b] * (length[b] + 1) / 2;
        }
        return new PackedSessions(start, length, pairStart, pairs);
    }
}

/// <summary>Where a batch's packed clicks sit: <see cref="Sessions"/> (their session ranges),
/// <see cref="PackedIndex"/> [P] each click's place in the padded [B x <see cref="Length"/>] layout and
/// <see cref="Mask"/> [B, L] (1 at real clicks), which the padded form needs.</summary>
public sealed record CausalLayout(PackedSessions Sessions, Tensor PackedIndex, Tensor Mask, long Length);

/// <summary>SASRec's causal self-attention over packed clicks: each click attends to itself and the
/// earlier clicks of its session, per head, dropout on the weights, no output projection.</summary>
public static class CausalAttention
{
    /// <summary>queries, keys, values [P, H] (already projected), packed; returns [P, H]. On the CPU one
    /// fused node (<see cref="CausalAttentionCpu"/>), elsewhere <see cref="Composite"/>.</summary>
    public static Tensor Apply(Tensor queries, Tensor keys, Tensor values, CausalLayout layout, int heads, double dropout, bool training)
    {
        if (!CausalAttentionCpu.Handles(queries, keys, values))
            return Composite(queries, keys, values, layout, heads, dropout, training);
        using var keepMask = training && dropout > 0
            ? DropoutMask.Draw([heads * layout.Sessions.Pairs], dropout)
            : null;
        return ApplyCpu(queries, keys, values, layout, heads, keepMask);
    }

    /// <summary>The CPU node with an explicit dropout <paramref name="keepMask"/> over the pairs, head
    /// after head ([heads * pairs], 0 or 1 / (1 - p); null: no dropout).</summary>
    public static Tensor ApplyCpu(Tensor queries, Tensor keys, Tensor values, CausalLayout layout, int heads, Tensor? keepMask) =>
        CausalAttentionCpu.apply(queries, keys, values, layout.Sessions, heads, keepMask!, is_grad_enabled());

    /// <summary>The same attention as torch operators over the padded layout (differentiated by
    /// autograd): the form off the CPU, and the reference the CPU node is tested against. Padded keys
    /// are masked; padded queries are computed and dropped.</summary>
    public static Tensor Composite(Tensor queries, Tensor keys, Tensor values, CausalLayout layout, int heads, double dropout, bool training)
    {
        long l = layout.Length, b = layout.Mask.shape[0], h = queries.shape[1], d = h / heads;
        Tensor Padded(Tensor rows) =>
            zeros([b * l, h], rows.dtype, rows.device).index_copy(0, layout.PackedIndex, rows).view(b, l, heads, d).transpose(1, 2); // [B, heads, L, d]
        var causal = ones([l, l], ScalarType.Bool, queries.device).triu(1);                 // key after query
        var padded = layout.Mask.EqualTo(0).view(-1, 1, 1, l);                              // padded key
        var blocked = causal.view(1, 1, l, l).logical_or(padded);                            // [B, 1, L, L]
        // A large negative rather than -inf: a padded query row with every key blocked stays finite
        // (uniform weights); it is never gathered back.
        var logits = Padded(queries).matmul(Padded(keys).transpose(2, 3)).Over(Math.Sqrt(d)).Filled(blocked, -1e9);
        var weights = F.dropout(F.softmax(logits, -1), dropout, training);
        return weights.matmul(Padded(values)).transpose(1, 2).reshape(b * l, h).index_select(0, layout.PackedIndex);
    }
}

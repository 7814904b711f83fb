using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>A bias-free, one-layer GRU over right-aligned padded sequences, returning each row's state
/// after its last real click, as torch's packed GRU does, on the CPU through the fused recurrence node
/// (<see cref="GruRecurrenceCpu"/>).</summary>
public static class PackedGru
{
    /// <summary>True where the fused form applies: float32 tensors in CPU memory.</summary>
    public static bool Handles(Tensor inputs, Tensor hiddenWeight) => GruRecurrenceCpu.Handles(inputs, hiddenWeight);

    /// <summary>The time-major order of right-aligned rows with <paramref name="lengths"/> clicks, padded to <paramref name="length"/>.</summary>
    public static TimeMajorPacking Packing(ReadOnlySpan<long> lengths, int length) => TimeMajorPacking.Of(lengths, length);

    /// <summary><paramref name="clicks"/> [N, H_in]: the real clicks in <paramref name="packing"/>'s
    /// time-major order (<see cref="TimeMajorPacking.PaddedIndex"/> of the padded layout); weights [3H, H]
    /// in torch's gate order (r, z, n). Returns each row's state after its last click, [B, H], in batch order.</summary>
    public static Tensor LastStates(Tensor clicks, TimeMajorPacking packing, Tensor inputWeight, Tensor hiddenWeight)
    {
        var states = GruRecurrenceCpu.apply(clicks.mm(inputWeight.t()), hiddenWeight, packing.BatchSizes, is_grad_enabled());
        // Back from longest-first to batch order.
        var inverse = new long[packing.Order.Length];
        for (int i = 0; i < inverse.Length; i++) inverse[packing.Order[i]] = i;
        using var back = tensor(inverse);
        return states.index_select(0, back);
    }
}

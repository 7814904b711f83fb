using System.Runtime.InteropServices;
using Llm4Sbr.Core.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>Inverted-dropout keep-masks (0, or 1 / (1 - p) with probability 1 - p) drawn in managed
/// code for CPU tensors.
/// <para>Why: torch's CPU <c>bernoulli_</c>, which its dropout draws from, runs a serial kernel; a
/// SASRec step drew seven masks of a batch's clicks x hidden and one over its attention pairs, about a
/// tenth of the step. Here a <see cref="SplitMix64"/> stream gives two decisions per 64-bit draw. The
/// stream is seeded by one draw from torch's default generator, so a run seeded with
/// <c>manual_seed</c> stays repeatable.</para></summary>
public static class DropoutMask
{
    /// <summary>A keep-mask of <paramref name="shape"/> for dropout probability <paramref name="p"/> (0 &lt;= p &lt; 1), float32, CPU.</summary>
    public static Tensor Draw(long[] shape, double p)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(p);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1.0);
        using var seedTensor = randint(long.MinValue, long.MaxValue, [1], ScalarType.Int64);
        var random = new SplitMix64((ulong)seedTensor.item<long>());
        var mask = empty(shape, ScalarType.Float32);
        var values = MemoryMarshal.Cast<byte, float>(mask.bytes);
        float kept = (float)(1 / (1 - p));
        // Dropped when the 32-bit draw falls below p 2^32.
        uint threshold = (uint)Math.Min(uint.MaxValue, Math.Round(p * 4294967296.0));
        int i = 0;
        for (; i + 1 < values.Length; i += 2)
        {
            ulong bits = random.Next();
            values[i] = (uint)bits < threshold ? 0f : kept;
            values[i + 1] = (uint)(bits >> 32) < threshold ? 0f : kept;
        }
        if (i < values.Length) values[i] = (uint)random.Next() < threshold ? 0f : kept;
        return mask;
    }
}

/// <summary>Inverted dropout (torch's semantics: zero with probability p, scale the rest by 1 / (1 - p),
/// identity in evaluation) whose CPU masks come from <see cref="DropoutMask"/>; off the CPU, torch's own.</summary>
public sealed class FastDropout : nn.Module<Tensor, Tensor>
{
    private readonly double p;

    public FastDropout(double p) : base(nameof(FastDropout))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(p);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1.0);
        this.p = p;
    }

    public override Tensor forward(Tensor x)
    {
        if (!training || p == 0) return x;
        if (x.device_type != DeviceType.CPU || x.dtype != ScalarType.Float32) return nn.functional.dropout(x, p, training);
        using var mask = DropoutMask.Draw(x.shape, p);
        return x * mask;
    }
}

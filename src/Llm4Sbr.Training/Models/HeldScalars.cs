using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>Tensor operations with a number operand (or TorchSharp's hidden one), whose TorchSharp
/// <see cref="Scalar"/> is held until the native call has returned.
/// <para>Why: TorchSharp turns a number given to an operator or method (<c>x * 2</c>, <c>x.eq(0)</c>,
/// <c>masked_fill(m, -inf)</c>) into a Scalar and leaves it to the finalizer. Once its handle has been read
/// the object is unreachable, so a collection on another thread can free it while libtorch still reads
/// it, and the call fails ("Expected false to be true" from <c>Scalar::toFloat</c>: a fresh clone's CI
/// once) or reads freed memory. <c>HeldScalarsTests</c> races fills against a thread forcing
/// collections. Some TorchSharp methods make such a Scalar inside: <c>Tensor + Tensor</c> and
/// <c>add(Tensor)</c> pass an implicit alpha of 1, <c>square()</c> an implicit exponent, <c>F.leaky_relu</c>
/// its slope. The project's code may call none of them nor convert a number itself:
/// <c>build/BannedSymbols.TorchScalars.txt</c> bans them (RS0030, a build error), a list that
/// <c>HeldScalarsTests</c> checks against TorchSharp's IL (<c>Support/TorchScalarScan</c>). Upstream: dotnet/TorchSharp PR 1496 (open)
/// disposes implicit Scalars.</para>
/// <para>Each helper makes the call TorchSharp's own operator made, with the same Scalar type (a long for
/// whole numbers, so integer tensors stay integer), so results are the same bits
/// (<c>HeldScalarsTests</c>).</para></summary>
public static class HeldScalars
{
    /// <summary>t + other: TorchSharp's <c>+</c> and <c>add(other)</c> pass an implicit alpha of 1.</summary>
    public static Tensor Plus(this Tensor t, Tensor other) { using var one = 1L.ToScalar(); return t.add(other, one); }

    /// <summary>t += other, in place (TorchSharp's <c>add_(other)</c>, with its alpha held).</summary>
    public static Tensor PlusInPlace(this Tensor t, Tensor other) { using var one = 1L.ToScalar(); return t.add_(other, one); }

    public static Tensor Plus(this Tensor t, long value) { using var s = value.ToScalar(); using var one = 1L.ToScalar(); return t.add(s, one); }
    public static Tensor Plus(this Tensor t, double value) { using var s = value.ToScalar(); using var one = 1L.ToScalar(); return t.add(s, one); }
    public static Tensor Minus(this Tensor t, long value) { using var s = value.ToScalar(); return t.sub(s); }
    public static Tensor Minus(this Tensor t, double value) { using var s = value.ToScalar(); return t.sub(s); }
    public static Tensor Times(this Tensor t, long value) { using var s = value.ToScalar(); return t.mul(s); }
    public static Tensor Times(this Tensor t, double value) { using var s = value.ToScalar(); return t.mul(s); }
    public static Tensor Over(this Tensor t, long value) { using var s = value.ToScalar(); return t.div(s); }
    public static Tensor Over(this Tensor t, double value) { using var s = value.ToScalar(); return t.div(s); }

    /// <summary>value - t, as TorchSharp's <c>value - t</c> computes it: -t + value.</summary>
    public static Tensor SubtractedFrom(this Tensor t, long value) => t.negative().Plus(value);

    /// <inheritdoc cref="SubtractedFrom(Tensor, long)"/>
    public static Tensor SubtractedFrom(this Tensor t, double value) => t.negative().Plus(value);

    /// <summary>Integer division rounded down (<c>div(value, RoundingMode.floor)</c>).</summary>
    public static Tensor FloorOver(this Tensor t, long value) { using var s = value.ToScalar(); return t.div(s, RoundingMode.floor); }

    /// <summary>t * t as TorchSharp's <c>square()</c> (which is <c>pow(2)</c> with an implicit 2).</summary>
    public static Tensor Squared(this Tensor t) { using var two = 2L.ToScalar(); return t.pow(two); }

    /// <summary><c>F.leaky_relu(t, slope)</c>, which passes the slope on as an implicit Scalar.</summary>
    public static Tensor LeakyRelu(this Tensor t, double slope) { using var s = slope.ToScalar(); return t.leaky_relu(s); }

    public static Tensor EqualTo(this Tensor t, long value) { using var s = value.ToScalar(); return t.eq(s); }
    public static Tensor AtLeast(this Tensor t, long value) { using var s = value.ToScalar(); return t.clamp_min(s); }
    public static Tensor AtLeast(this Tensor t, double value) { using var s = value.ToScalar(); return t.clamp_min(s); }
    public static Tensor AtMost(this Tensor t, long value) { using var s = value.ToScalar(); return t.clamp_max(s); }

    /// <summary><c>masked_fill(mask, value)</c>.</summary>
    public static Tensor Filled(this Tensor t, Tensor mask, double value) { using var s = value.ToScalar(); return t.masked_fill(mask, s); }

    /// <summary><c>masked_fill_(mask, value)</c>, in place.</summary>
    public static Tensor FillInPlace(this Tensor t, Tensor mask, double value) { using var s = value.ToScalar(); return t.masked_fill_(mask, s); }

    /// <summary><c>index_fill_(dim, index, value)</c>, in place.</summary>
    public static Tensor IndexFillInPlace(this Tensor t, long dim, Tensor index, double value) { using var s = value.ToScalar(); return t.index_fill_(dim, index, s); }

    /// <summary><c>index_add(dim, index, source, 1)</c>: t with source's rows added into the rows index names.</summary>
    public static Tensor IndexAdd(this Tensor t, long dim, Tensor index, Tensor source) { using var one = 1L.ToScalar(); return t.index_add(dim, index, source, one); }

    /// <summary><c>addcmul(tensor1, tensor2, 1)</c>: t + tensor1 * tensor2.</summary>
    public static Tensor AddProduct(this Tensor t, Tensor tensor1, Tensor tensor2) { using var one = 1L.ToScalar(); return t.addcmul(tensor1, tensor2, one); }

    /// <summary><c>fill_(value)</c>: every element of t set to value, in place.</summary>
    public static Tensor Fill(this Tensor t, double value) { using var s = value.ToScalar(); return t.fill_(s); }

    /// <summary><c>full(shape, value)</c>.</summary>
    public static Tensor Full(long[] shape, double value, ScalarType dtype, Device? device = null)
    {
        using var s = value.ToScalar();
        return full(shape, s, dtype, device);
    }

    /// <summary><c>full_like(t, value)</c>.</summary>
    public static Tensor FullLike(Tensor t, long value) { using var s = value.ToScalar(); return full_like(t, s); }

    /// <inheritdoc cref="FullLike(Tensor, long)"/>
    public static Tensor FullLike(Tensor t, double value) { using var s = value.ToScalar(); return full_like(t, s); }

    /// <summary><c>arange(start, stop, step)</c> of whole numbers.</summary>
    public static Tensor Arange(long start, long stop, long step, ScalarType dtype, Device? device = null)
    {
        using var first = start.ToScalar();
        using var end = stop.ToScalar();
        using var by = step.ToScalar();
        return arange(first, end, by, dtype, device);
    }
}

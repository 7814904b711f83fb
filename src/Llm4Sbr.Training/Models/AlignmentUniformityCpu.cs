using static Llm4Sbr.Training.Models.CpuMemory;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary><see cref="AlignmentUniformity.Loss(IReadOnlyList{ValueTuple{Tensor, Tensor}})"/> on the CPU
/// as one autograd node with a hand-derived backward, for float32 CPU tensors <c>x</c> (sessions) and
/// <c>y</c> (views), both [P, B, H].
/// <para>Why: the composite form is ~40 small operators forward and as many backward on [B, B] and
/// [B, H] tensors; on a CPU each costs tens of microseconds of dispatch, and together they were 3.7 ms
/// of a 42 ms LLM4SBR step (2 views, B = 100, H = 100), most of LLM4SBR's cost over SR-GNN. Here the
/// element-wise work is plain vectorised loops, and the two [B, B] x [B, H] products go to torch's bmm.</para>
/// <para>Gradients, with x̂ = x / max(|x|, eps) (F.normalize) and g the upstream gradient:
/// alignment of pair p adds g 2/B (x̂_i - ŷ_i) to x̂_i and its negative to ŷ_i. Uniformity of a side Z
/// (weight w = g / 2) with d_ij = clamp_min(|ẑ_i|^2 + |ẑ_j|^2 - 2 ẑ_i.ẑ_j, 0), K = exp(-2 d),
/// S = sum over i != j of K: c_ij = -2 w K_ij / S where the clamp passed (0 on the diagonal, whose
/// terms cancel in the composite form), and dẑ_k = 4 ẑ_k sum_j c_kj - 4 sum_j c_kj ẑ_j (c is symmetric).
/// Normalisation: dz = (dẑ - ẑ (ẑ.dẑ)) / |z| where |z| >= eps, dẑ / eps elsewhere (the clamp stops the
/// gradient to the norm), as torch differentiates F.normalize.</para></summary>
internal sealed class AlignmentUniformityCpu : autograd.SingleTensorFunction<AlignmentUniformityCpu>
{
    private const float Eps = 1e-12f; // F.normalize's default
    private const string StateKey = "state";

    public override string Name => nameof(AlignmentUniformityCpu);

    /// <summary>True where this node applies: float32 tensors in CPU memory.</summary>
    public static bool Handles(Tensor x, Tensor y) =>
        x.device_type == DeviceType.CPU && y.device_type == DeviceType.CPU
        && x.dtype == ScalarType.Float32 && y.dtype == ScalarType.Float32;

    /// <summary>What the backward pass needs: normalised rows of both sides ([2P, B, H], sessions first),
    /// each row's norm |z| (before normalising), and the uniformity coefficients c ([2P, B, B];
    /// null for a batch of one). The large buffers are tensors (native memory, freed with the step's
    /// dispose scope): as managed arrays they were ~1.6 MB of large-object heap per step, and the
    /// collections that followed cost more than the arithmetic.</summary>
    private sealed record State(int Pairs, int Rows, int Dim, Tensor Normalised, float[] Norms, Tensor? Coefficients);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = ((Tensor)vars[0]).contiguous();
        var y = ((Tensor)vars[1]).contiguous();
        int pairs = (int)x.shape[0], rows = (int)x.shape[1], dim = (int)x.shape[2];
        int side = rows * dim;
        var normalisedTensor = empty([2 * pairs, rows, dim], ScalarType.Float32);
        var normalised = Floats(normalisedTensor);
        var norms = new float[2 * pairs * rows];
        Normalise(Floats(x), normalised[..(pairs * side)], norms.AsSpan(0, pairs * rows), dim);
        Normalise(Floats(y), normalised[(pairs * side)..], norms.AsSpan(pairs * rows), dim);

        double loss = 0;
        for (int p = 0; p < pairs; p++)
        {
            var xs = normalised.Slice(p * side, side);
            var ys = normalised.Slice((pairs + p) * side, side);
            double sum = 0;
            for (int i = 0; i < rows; i++)
            {
                float distance = TensorPrimitives.Distance(xs.Slice(i * dim, dim), ys.Slice(i * dim, dim));
                sum += (double)distance * distance;
            }
            loss += sum / rows;
        }

        Tensor? coefficientTensor = null;
        if (rows >= 2)
        {
            using var gramTensor = normalisedTensor.bmm(normalisedTensor.transpose(1, 2)); // Z Z^T per side
            var gram = Floats(gramTensor);
            coefficientTensor = empty([2 * pairs, rows, rows], ScalarType.Float32);
            var coefficients = Floats(coefficientTensor);
            for (int m = 0; m < 2 * pairs; m++)
                loss += 0.5 * Uniformity(gram.Slice(m * rows * rows, rows * rows), coefficients.Slice(m * rows * rows, rows * rows), rows);
        }
        ctx.save_data(StateKey, new State(pairs, rows, dim, normalisedTensor, norms, coefficientTensor));
        return tensor((float)loss);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var s = (State)ctx.get_data(StateKey);
        float g = gradOutput.item<float>();
        int side = s.Rows * s.Dim;
        var normalised = Floats(s.Normalised);
        var gradTensor = empty([2 * s.Pairs, s.Rows, s.Dim], ScalarType.Float32); // d loss / d normalised rows
        var grad = Floats(gradTensor);

        float alignScale = g * 2f / s.Rows;
        for (int p = 0; p < s.Pairs; p++)
        {
            var xs = normalised.Slice(p * side, side);
            var ys = normalised.Slice((s.Pairs + p) * side, side);
            var gx = grad.Slice(p * side, side);
            var gy = grad.Slice((s.Pairs + p) * side, side);
            TensorPrimitives.Subtract(xs, ys, gx);
            TensorPrimitives.Multiply(gx, alignScale, gx);
            TensorPrimitives.Negate(gx, gy);
        }

        if (s.Coefficients is { } coefficientTensor)
        {
            // c was computed for w = 1/2; the upstream gradient scales it. dẑ_k += 4 ẑ_k r_k - 4 (C Ẑ)_k.
            var c = Floats(coefficientTensor);
            using var combinedTensor = coefficientTensor.bmm(s.Normalised); // C Ẑ, [2P, B, H]
            var combined = Floats(combinedTensor);
            for (int m = 0; m < 2 * s.Pairs; m++)
                for (int k = 0; k < s.Rows; k++)
                {
                    int row = m * side + k * s.Dim;
                    float r = TensorPrimitives.Sum(c.Slice((m * s.Rows + k) * s.Rows, s.Rows));
                    var gk = grad.Slice(row, s.Dim);
                    TensorPrimitives.MultiplyAdd(normalised.Slice(row, s.Dim), 4 * g * r, gk, gk);
                    TensorPrimitives.MultiplyAdd(combined.Slice(row, s.Dim), -4 * g, gk, gk);
                }
        }

        // Through the normalisation, row by row.
        for (int row = 0; row < 2 * s.Pairs * s.Rows; row++)
        {
            var gz = grad.Slice(row * s.Dim, s.Dim);
            if (s.Norms[row] >= Eps)
            {
                var z = normalised.Slice(row * s.Dim, s.Dim);
                TensorPrimitives.MultiplyAdd(z, -TensorPrimitives.Dot(z, gz), gz, gz);
            }
            TensorPrimitives.Multiply(gz, 1f / Math.Max(s.Norms[row], Eps), gz);
        }
        return [gradTensor.narrow(0, 0, s.Pairs), gradTensor.narrow(0, s.Pairs, s.Pairs)];
    }


    /// <summary>Each row of <paramref name="source"/> divided by max(|row|, eps) into <paramref name="target"/>; |row| into <paramref name="norms"/>.</summary>
    private static void Normalise(ReadOnlySpan<float> source, Span<float> target, Span<float> norms, int dim)
    {
        for (int i = 0; i < norms.Length; i++)
        {
            var row = source.Slice(i * dim, dim);
            norms[i] = TensorPrimitives.Norm(row);
            TensorPrimitives.Multiply(row, 1f / Math.Max(norms[i], Eps), target.Slice(i * dim, dim));
        }
    }

    /// <summary>log(S / (B (B - 1))) of one side; writes its coefficients c_ij for w = 1/2 into
    /// <paramref name="coefficients"/> (scaled by the upstream gradient in backward).</summary>
    private static double Uniformity(ReadOnlySpan<float> gram, Span<float> coefficients, int rows)
    {
        var squaredNorms = new float[rows];
        for (int i = 0; i < rows; i++) squaredNorms[i] = gram[i * rows + i];
        var raw = new float[rows];
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            var kernel = coefficients.Slice(i * rows, rows);
            // raw_j = |z_i|^2 + |z_j|^2 - 2 z_i.z_j; kernel_j = exp(-2 max(raw_j, 0))
            TensorPrimitives.MultiplyAdd(gram.Slice(i * rows, rows), -2f, squaredNorms, raw);
            TensorPrimitives.Add(raw, squaredNorms[i], raw);
            TensorPrimitives.Max(raw, 0f, kernel);
            TensorPrimitives.Multiply(kernel, -2f, kernel);
            TensorPrimitives.Exp(kernel, kernel);
            kernel[i] = 0; // i = j is not a pair
            total += TensorPrimitives.Sum(kernel);
            for (int j = 0; j < rows; j++)
                if (raw[j] < 0) kernel[j] = 0; // the clamp passes no gradient there
        }
        // c_ij = -2 w K_ij / S with w = 1/2 (the loss averages the two sides' uniformity).
        TensorPrimitives.Multiply(coefficients, (float)(-1.0 / total), coefficients);
        return Math.Log(total / ((double)rows * (rows - 1)));
    }
}

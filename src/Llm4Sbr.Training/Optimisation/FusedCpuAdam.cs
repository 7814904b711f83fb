using static Llm4Sbr.Training.Models.CpuMemory;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Optimisation;

/// <summary>Adam for CPU parameters in one vectorised pass per parameter over its memory
/// (parameter, gradient, first and second moments), instead of torch's ~9 tensor passes with three
/// temporaries. The arithmetic is torch.optim.Adam's, step for step:
/// g += wd p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr / bc1 x m / (sqrt(v) / sqrt(bc2) + eps).
/// Large parameters are split into chunks updated in parallel (elementwise, so deterministic).</summary>
public sealed class FusedCpuAdam : IResumableUpdater
{
    private const int ChunkSize = 1 << 16;
    private readonly nn.Module model;
    private readonly Parameter[] parameters;
    private readonly float[][] firstMoments;
    private readonly float[][] secondMoments;
    private readonly AdamSettings settings;
    private readonly ParallelOptions parallel;
    private long step;

    public FusedCpuAdam(nn.Module model, AdamSettings settings, int threads)
    {
        this.model = model;
        this.settings = settings;
        parameters = [.. model.parameters()];
        if (parameters.Any(p => p.device_type != DeviceType.CPU || p.dtype != ScalarType.Float32 || !p.is_contiguous()))
            throw new ArgumentException("the fused Adam needs contiguous float32 CPU parameters", nameof(model));
        firstMoments = [.. parameters.Select(p => new float[p.numel()])];
        secondMoments = [.. parameters.Select(p => new float[p.numel()])];
        parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        LearningRate = settings.LearningRate;
    }

    public double LearningRate { get; set; }

    public void ZeroGrad() => model.zero_grad(set_to_none: true);

    public UpdaterState Capture() => new(step, [.. firstMoments.Select(m => m.ToArray())], [.. secondMoments.Select(v => v.ToArray())]);

    public void Restore(UpdaterState state)
    {
        if (state.FirstMoments.Length != parameters.Length || state.SecondMoments.Length != parameters.Length
            || parameters.Select((p, i) => state.FirstMoments[i].Length != p.numel() || state.SecondMoments[i].Length != p.numel()).Any(wrong => wrong))
            throw new ArgumentException("the saved Adam state is for other parameters", nameof(state));
        step = state.Steps;
        for (int i = 0; i < parameters.Length; i++)
        {
            state.FirstMoments[i].CopyTo(firstMoments[i], 0);
            state.SecondMoments[i].CopyTo(secondMoments[i], 0);
        }
    }

    public void Step()
    {
        step++;
        float b1 = (float)settings.Beta1, b2 = (float)settings.Beta2;
        var constants = new Constants(
            WeightDecay: (float)settings.WeightDecay,
            Beta1: b1, OneMinusBeta1: 1 - b1,
            Beta2: b2, OneMinusBeta2: 1 - b2,
            InverseSqrtBiasCorrection2: (float)(1 / Math.Sqrt(1 - Math.Pow(settings.Beta2, step))),
            Epsilon: (float)settings.Epsilon,
            StepSize: (float)(LearningRate / (1 - Math.Pow(settings.Beta1, step))));
        for (int i = 0; i < parameters.Length; i++)
        {
            using var grad = parameters[i].grad;
            if (grad is null) continue;
            var p = parameters[i];
            int length = (int)p.numel();
            int chunks = (length + ChunkSize - 1) / ChunkSize;
            var m = firstMoments[i];
            var v = secondMoments[i];
            if (chunks == 1) Update(Floats(p), Floats(grad), m, v, constants);
            else Parallel.For(0, chunks, parallel, c =>
            {
                int start = c * ChunkSize, count = Math.Min(ChunkSize, length - start);
                Update(Floats(p).Slice(start, count), Floats(grad).Slice(start, count), m.AsSpan(start, count), v.AsSpan(start, count), constants);
            });
        }
    }


    private readonly record struct Constants(float WeightDecay, float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2,
        float InverseSqrtBiasCorrection2, float Epsilon, float StepSize);

    private static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Constants k)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var wd = Vector256.Create(k.WeightDecay);
            var b1 = Vector256.Create(k.Beta1); var c1 = Vector256.Create(k.OneMinusBeta1);
            var b2 = Vector256.Create(k.Beta2); var c2 = Vector256.Create(k.OneMinusBeta2);
            var bc2 = Vector256.Create(k.InverseSqrtBiasCorrection2);
            var eps = Vector256.Create(k.Epsilon);
            var stepSize = Vector256.Create(k.StepSize);
            for (; i <= p.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var pv = Vector256.Create<float>(p[i..]);
                var gv = Vector256.Create<float>(g[i..]) + wd * pv;
                var mv = b1 * Vector256.Create<float>(m[i..]) + c1 * gv;
                var vv = b2 * Vector256.Create<float>(v[i..]) + c2 * (gv * gv);
                mv.CopyTo(m[i..]);
                vv.CopyTo(v[i..]);
                (pv - stepSize * mv / (Vector256.Sqrt(vv) * bc2 + eps)).CopyTo(p[i..]);
            }
        }
        for (; i < p.Length; i++)
        {
            float gi = g[i] + k.WeightDecay * p[i];
            m[i] = k.Beta1 * m[i] + k.OneMinusBeta1 * gi;
            v[i] = k.Beta2 * v[i] + k.OneMinusBeta2 * (gi * gi);
            p[i] -= k.StepSize * m[i] / (MathF.Sqrt(v[i]) * k.InverseSqrtBiasCorrection2 + k.Epsilon);
        }
    }

    public void Dispose() { }
}

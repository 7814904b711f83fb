using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>Seeded parameter initialisations of the reference implementations, each drawn from the
/// caller's generator in <c>named_parameters</c> order (so a seed fixes every weight).</summary>
public static class Initialisation
{
    /// <summary>SR-GNN's (and LLM4SBR's, TAGNN's) <c>reset_parameters</c>: every parameter uniform in
    /// +-1/sqrt(hidden). The item table (key <paramref name="itemTableKey"/>, no padding row) is drawn as
    /// the reference's table with its padding row 0, which is then dropped, so a seed gives the weights
    /// the reference's layout would.</summary>
    public static void UniformReference(nn.Module module, int hidden, Generator generator, string? itemTableKey)
    {
        double bound = 1.0 / Math.Sqrt(hidden);
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters())
        {
            if (name != itemTableKey) { p.uniform_(-bound, bound, generator); continue; }
            using var padded = empty([p.shape[0] + 1, p.shape[1]], p.dtype, p.device).uniform_(-bound, bound, generator);
            using var rows = padded.narrow(0, 1, p.shape[0]);
            p.copy_(rows);
        }
    }

    /// <summary>Glorot (Xavier) uniform: U(-a, a), a = gain sqrt(6 / (fan_in + fan_out)), for a 2-D weight.</summary>
    public static void XavierUniform(Tensor weight, Generator generator, double gain = 1)
    {
        var (fanIn, fanOut) = Fans(weight);
        double a = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        using var _ = no_grad();
        weight.uniform_(-a, a, generator);
    }

    /// <summary>Glorot (Xavier) normal: N(0, gain sqrt(2 / (fan_in + fan_out))).</summary>
    public static void XavierNormal(Tensor weight, Generator generator, double gain = 1)
    {
        var (fanIn, fanOut) = Fans(weight);
        using var _ = no_grad();
        weight.normal_(0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    /// <summary>torch's default for <c>nn.Linear</c>: weight and bias U(+-1/sqrt(fan_in)).</summary>
    public static void LinearDefault(Linear linear, Generator generator)
    {
        double bound = 1.0 / Math.Sqrt(linear.weight!.shape[1]);
        using var _ = no_grad();
        linear.weight.uniform_(-bound, bound, generator);
        linear.bias?.uniform_(-bound, bound, generator);
    }

    public static void Constant(Tensor? t, double value)
    {
        if (t is null) return;
        using var _ = no_grad();
        t.Fill(value);
    }

    private static (long FanIn, long FanOut) Fans(Tensor weight) =>
        weight.dim() == 2 ? (weight.shape[1], weight.shape[0])
            : throw new ArgumentException($"expected a 2-D weight, got {weight.dim()} dimensions");
}

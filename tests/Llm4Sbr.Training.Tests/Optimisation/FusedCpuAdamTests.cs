using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Optimisation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Optimisation;

public class FusedCpuAdamTests
{
    private sealed class Toy : nn.Module
    {
        private readonly TorchSharp.Modules.Parameter weight;
        private readonly TorchSharp.Modules.Parameter big;
        public Toy() : base(nameof(Toy))
        {
            weight = nn.Parameter(randn(7, 3));
            big = nn.Parameter(randn(70_001)); // more than one parallel chunk, not a multiple of the vector width
            RegisterComponents();
        }
        public Tensor Loss(Tensor x) => x.matmul(weight).Squared().sum().Plus((big * x.sum()).sin().sum());
    }

    [Fact]
    public void Matches_torch_adam_with_weight_decay_over_several_steps_and_learning_rates()
    {
        manual_seed(3);
        using var a = new Toy();
        using var b = new Toy();
        using (no_grad()) foreach (var ((_, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters())) pb.copy_(pa);
        var settings = new AdamSettings(LearningRate: 1e-2, WeightDecay: 1e-2);
        using var fused = new FusedCpuAdam(a, settings, threads: 2);
        using var reference = new TorchAdam(b, settings);
        for (int step = 0; step < 12; step++)
        {
            if (step == 6) { fused.LearningRate = 1e-3; reference.LearningRate = 1e-3; }
            using var scope = NewDisposeScope();
            var x = randn(5, 7);
            foreach (var (model, updater) in new (Toy, IParameterUpdater)[] { (a, fused), (b, reference) })
            {
                updater.ZeroGrad();
                model.Loss(x).backward();
                updater.Step();
            }
        }
        foreach (var ((name, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
        {
            double diff = (pa - pb).abs().max().item<float>();
            Assert.True(diff < 1e-5, $"{name}: max abs difference {diff}");
        }
        Assert.Equal(1e-3, fused.LearningRate);
    }
}

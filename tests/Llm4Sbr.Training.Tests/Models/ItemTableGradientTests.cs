using Llm4Sbr.Core.Data;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Optimisation;
using Llm4Sbr.Training.Tests.Support;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>The item table's lookup gradient is sparse; added to the scoring gradient it must leave one
/// dense gradient that torch's Adam (the CUDA path's optimiser, which refuses sparse gradients) takes.</summary>
public class ItemTableGradientTests
{
    [Fact]
    public void The_item_table_gets_one_dense_gradient_that_torch_adam_accepts()
    {
        int[][] prefixes = [[3, 5, 3, 7], [4, 4, 2], [9]];
        var set = new PreparedSampleSet([.. prefixes.Select((p, i) => new PreparedSample(i, i, [.. p], 1 + i, SessionGraph.Build(p)))]);
        using var model = TestModels.Create("srgnn", 10, 8, seed: 4);
        model.train();
        using var adam = new TorchAdam(model, new AdamSettings());
        using var scope = NewDisposeScope();
        var batch = BatchTensors.Create(set, ViewTable.None, [0, 1, 2], model.Input, CPU);
        adam.ZeroGrad();
        F.cross_entropy(model.forward(batch).Scores, batch.Targets).backward();

        var table = model.named_parameters().Single(p => p.name == "backbone.encoder.embedding.weight").parameter;
        var grad = table.grad!;
        Assert.False(grad.is_sparse);
        Assert.Equal(table.shape, grad.shape);
        // Items 1, 6 and 8 are in no prefix: scoring alone gives their rows a gradient (rows 0, 5, 7).
        Assert.True(grad[0].abs().sum().item<float>() > 0);
        var before = table.detach().clone();
        adam.Step();
        Assert.True((table.detach() - before).abs().max().item<float>() > 0);
    }
}

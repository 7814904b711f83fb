using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>What every registered model promises, whatever its backbone: scores over the whole
/// catalogue, gradients to every parameter, the same weights and scores for the same seed, no native
/// tensor left behind by a step, and (sequential backbones) scores that do not depend on padding.</summary>
public class BackboneContractTests
{
    public static TheoryData<string> TrainedModels => [.. ModelRegistry.Specs.Where(s => s.Kind == ModelKind.Trained).Select(s => s.Name)];

    const int Hidden = 8;

    static SessionModel Model(string name, ulong seed = 5) =>
        TestModels.Create(name, TinyBatches.Items + 1, Hidden, seed, parameters: TinyParameters(name));

    /// <summary>Small settings where the defaults assume Beauty (SASRec's dropout would make the
    /// gradient check depend on which units survive; TAGNN's chunk is made smaller than the catalogue).</summary>
    static ModelParameters TinyParameters(string name)
    {
        var spec = ModelRegistry.Find(name).Match(s => s, e => throw new Exception(e.Message));
        var given = new Dictionary<string, string>();
        if (spec.Backbone == "tagnn") given["item_chunk"] = "4";
        if (spec.Backbone is "gru4rec" or "sasrec") given["dropout"] = "0";
        if (spec.Backbone == "gcegnn") given["dropout_global"] = "0";
        return ModelRegistry.ParametersOf(spec).Resolve(given);
    }

    static string[] ViewsOf(SessionModel model) => [.. model.RequiredViews];

    [Theory]
    [MemberData(nameof(TrainedModels))]
    public void Gradients_reach_every_parameter(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Model(name);
        model.train();
        var batch = TinyBatches.Batch(model, TinyBatches.Views(4, ViewsOf(model)));
        var output = model.forward(batch);
        Assert.Equal(new long[] { TinyBatches.Prefixes.Length, TinyBatches.Items }, output.Scores.shape);
        F.cross_entropy(output.Scores, batch.Targets).Plus(output.AuxiliaryLoss).backward();
        foreach (var (parameterName, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name}: {parameterName} has no gradient");
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name}: {parameterName} has an all-zero gradient");
            Assert.False(p.grad.isnan().any().item<bool>(), $"{name}: {parameterName} has a NaN gradient");
        }
    }

    [Theory]
    [MemberData(nameof(TrainedModels))]
    public void A_seed_fixes_the_weights_and_the_scores(string name)
    {
        using var scope = NewDisposeScope();
        using var a = Model(name, seed: 9);
        using var b = Model(name, seed: 9);
        using var c = Model(name, seed: 10);
        foreach (var (key, value) in a.state_dict())
            Assert.True(value.equal(b.state_dict()[key]).all().item<bool>(), $"{name}: {key} differs for the same seed");
        Assert.Contains(a.state_dict(), p => !p.Value.equal(c.state_dict()[p.Key]).all().item<bool>());
        a.eval(); b.eval();
        using var noGrad = no_grad();
        var views = TinyBatches.Views(4, ViewsOf(a));
        Assert.True(a.forward(TinyBatches.Batch(a, views)).Scores.equal(b.forward(TinyBatches.Batch(b, views)).Scores).all().item<bool>());
    }

    [Theory]
    [MemberData(nameof(TrainedModels))]
    public void A_training_step_leaves_no_tensor_behind(string name)
    {
        using var model = Model(name);
        model.train();
        var views = TinyBatches.Views(4, ViewsOf(model));
        void Step()
        {
            using var scope = NewDisposeScope();
            var batch = TinyBatches.Batch(model, views);
            var output = model.forward(batch);
            F.cross_entropy(output.Scores, batch.Targets).Plus(output.AuxiliaryLoss).backward();
        }
        Step(); // gradients are allocated once, on the first step
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Step();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    /// <summary>A session's scores do not depend on the other sessions of its batch: padding (sequences),
    /// ragged concatenation (graphs) and every softmax are restricted to the session's own clicks.</summary>
    [Theory]
    [MemberData(nameof(TrainedModels))]
    public void A_session_scores_the_same_alone_and_in_a_batch(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Model(name);
        model.eval();
        using var noGrad = no_grad();
        var views = TinyBatches.Views(4, ViewsOf(model));
        var all = model.forward(TinyBatches.Batch(model, views)).Scores;
        for (int i = 0; i < TinyBatches.Prefixes.Length; i++)
        {
            var alone = model.forward(TinyBatches.Batch(model, views, i)).Scores[0];
            double diff = (alone - all[i]).abs().max().item<float>();
            Assert.True(diff < 1e-5, $"{name}: session {i} scores differ by {diff} alone and in the batch");
        }
    }
}

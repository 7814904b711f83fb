using System.Collections.Immutable;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Models.Backbones;
using Llm4Sbr.Training.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>The LLM4SBR wrapper on a tiny fake backbone whose vectors are plain parameters, so every
/// value and gradient can be written out by hand: the wrapper knows nothing of the backbone.</summary>
public class Llm4SbrWrapperTests
{
    const int Size = 3, TextDim = 2, Batch = 4, Items = 5;

    /// <summary>long = batch targets' rows of L, short = rows of S (any per-sample vectors will do);
    /// combine = long + 2 short; scores against a fixed table.</summary>
    sealed class FakeBackbone : SessionBackbone
    {
        private readonly Parameter longRows = nn.Parameter(randn(Batch, Size));
        private readonly Parameter shortRows = nn.Parameter(randn(Batch, Size));
        private readonly Parameter table = nn.Parameter(randn(Items, Size));

        public FakeBackbone() : base(nameof(FakeBackbone)) => RegisterComponents();
        public override int Hidden => Size;
        public override Parameter ItemEmbeddings => table;
        public override BatchInput Input => new(false, null, []);
        public override SessionEncoding Encode(BatchTensors batch) => new(longRows.Times(1), shortRows.Times(1));
        public override Tensor Combine(Tensor longVector, Tensor shortVector) => longVector.Plus(shortVector.Times(2));
        public override Tensor Score(SessionEncoding encoding, Tensor session) => session.matmul(table.t());
        public override void ResetParameters(Generator generator) { }
        public Tensor Long => longRows;
        public Tensor Short => shortRows;
        public Tensor Table => table;
    }

    static BatchTensors BatchOf(Tensor longText, Tensor shortText, Tensor normalText) => new(
        Batch, tensor(new long[] { 0, 1, 2, 3 }), null, null,
        ImmutableDictionary<string, Tensor>.Empty.Add("long", longText).Add("short", shortText).Add("normal", normalText));

    static Dictionary<string, Tensor> Parameters(nn.Module m) => m.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    [Theory]
    [InlineData("full")]
    [InlineData("noau")]
    [InlineData("normal")]
    public void Values_and_gradients_are_the_paper_formulas_on_any_backbone(string variant)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var backbone = new FakeBackbone();
        ImmutableArray<ViewBinding> bindings = variant == "normal"
            ? [new("normal", ViewSlot.Combined)]
            : [new("long", ViewSlot.Long), new("short", ViewSlot.Short)];
        var dims = new Dictionary<string, int> { ["long"] = TextDim, ["short"] = TextDim, ["normal"] = TextDim };
        using var model = new Llm4SbrModel(backbone, bindings, dims, alignAndUniform: variant != "noau", alignUniformWeight: 0.5, seed: 8);
        model.train();
        var (longText, shortText, normalText) = (randn(Batch, TextDim), randn(Batch, TextDim), randn(Batch, TextDim));
        var output = model.forward(BatchOf(longText, shortText, normalText));

        // By hand, from the same parameters.
        var p = Parameters(model);
        Tensor Gate(string view, Tensor session, Tensor text, out Tensor projected)
        {
            projected = F.linear(text, p[$"views.{view}.projection.weight"], p[$"views.{view}.projection.bias"]);
            return session * F.linear(sigmoid(session.Plus(projected)), p[$"views.{view}.gate.weight"]);
        }
        Tensor expectedScores, expectedAux;
        if (variant == "normal")
        {
            var combined = backbone.Long.Plus(backbone.Short.Times(2));
            expectedScores = Gate("normal", combined, normalText, out var normalView).matmul(backbone.Table.t());
            expectedAux = AlignmentUniformity.Loss(combined, normalView).Times(0.5);
        }
        else
        {
            var longFused = Gate("long", backbone.Long, longText, out var longView);
            var shortFused = Gate("short", backbone.Short, shortText, out var shortView);
            expectedScores = longFused.Plus(shortFused.Times(2)).matmul(backbone.Table.t());
            // Aligned with the vectors before fusion.
            expectedAux = variant == "noau" ? zeros([]) : AlignmentUniformity.Loss(backbone.Long, longView).Plus(AlignmentUniformity.Loss(backbone.Short, shortView)).Times(0.5);
        }
        ReferenceEquivalenceTests.AssertClose(expectedScores, output.Scores);
        Assert.Equal(expectedAux.item<float>(), output.AuxiliaryLoss.item<float>(), 1e-5f);

        // Gradients: autograd through the wrapper equals autograd through the hand-written formula.
        var targets = tensor(new long[] { 1, 0, 4, 2 });
        var loss = F.cross_entropy(output.Scores, targets).Plus(output.AuxiliaryLoss);
        var expectedLoss = F.cross_entropy(expectedScores, targets).Plus(expectedAux);
        var parameters = model.parameters().ToArray();
        var actual = autograd.grad([loss], parameters, retain_graph: true);
        var expected = autograd.grad([expectedLoss], parameters, allow_unused: true);
        for (int i = 0; i < parameters.Length; i++)
        {
            Assert.True(actual[i].abs().sum().item<float>() > 0, $"parameter {i} gets no gradient");
            ReferenceEquivalenceTests.AssertClose(expected[i], actual[i]);
        }
    }

    [Fact]
    public void Ablations_are_bindings_of_the_one_wrapper_for_every_backbone_beside_its_llm2x()
    {
        foreach (var backbone in BackboneRegistry.Names)
        {
            var names = ModelRegistry.Specs.Where(s => s.Backbone == backbone).Select(s => s.Name).ToArray();
            Assert.Equal([backbone, $"llm4sbr-{backbone}", $"llm4sbr-{backbone}-noau", $"llm4sbr-{backbone}-nolong", $"llm4sbr-{backbone}-noshort", $"llm4sbr-{backbone}-normal", $"llm2{backbone}"], names);
        }
    }
}

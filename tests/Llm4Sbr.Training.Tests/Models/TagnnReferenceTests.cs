using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using R = Llm4Sbr.Training.Tests.Models.ReferenceEquivalenceTests;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>TAGNN against a transcription of its reference <c>compute_scores</c> (CRIPAC-DIG/TAGNN
/// model.py): the dense [B, N, L] target attention and [B, N, H] target vectors, with both softmaxes
/// masked to the real clicks (the documented difference), over the reference GNN's click states.</summary>
public class TagnnReferenceTests
{
    static ModelParameters Chunk(int chunk) =>
        ModelRegistry.ParametersOf(ModelRegistry.Find("tagnn").Match(s => s, e => throw new Exception(e.Message)))
            .Resolve(new Dictionary<string, string> { ["item_chunk"] = $"{chunk}" });

    [Theory]
    [InlineData(1)]   // one item at a time
    [InlineData(4)]   // chunks that do not divide the catalogue (9 items)
    [InlineData(100)] // the whole catalogue at once
    public void Scores_equal_the_dense_reference_whatever_the_item_chunk(int chunk)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create("tagnn", R.Items + 1, R.Hidden, seed: 13, parameters: Chunk(chunk));
        model.eval();
        using var noGrad = no_grad();
        var scores = model.forward(BatchTensors.Create(R.Set(), ViewTable.None, [0, 1, 2, 3, 4], model.Input, CPU)).Scores;

        var p = R.Parameters(model);
        var (seqHidden, mask, ht) = R.ReferenceClickStates(p, "backbone.encoder.");
        int batch = R.Prefixes.Length;
        var padded = mask.EqualTo(0);                                                            // [B, L]
        const string at = "backbone.attention.";
        var q1 = F.linear(ht, p[at + "linear_one.weight"], p[at + "linear_one.bias"]).view(batch, 1, R.Hidden);
        var q2 = F.linear(seqHidden, p[at + "linear_two.weight"], p[at + "linear_two.bias"]);
        var alpha = F.linear(sigmoid(q1.Plus(q2)), p[at + "linear_three.weight"]);           // [B, L, 1]
        alpha = F.softmax(alpha.Filled(padded.unsqueeze(2), double.NegativeInfinity), 1);
        var a = (alpha * seqHidden).sum(1);
        var sh = F.linear(cat([a, ht], 1), p["backbone.linear_transform.weight"], p["backbone.linear_transform.bias"]);
        var b = p["backbone.encoder.embedding.weight"];                                    // [N, H]
        var qt = F.linear(seqHidden * mask.unsqueeze(2), p["backbone.linear_t.weight"]);    // [B, L, H]
        var beta = F.softmax(b.matmul(qt.transpose(1, 2)).Filled(padded.unsqueeze(1), double.NegativeInfinity), -1); // [B, N, L]
        var target = beta.matmul(seqHidden);                                               // [B, N, H]
        var expected = (sh.view(batch, 1, R.Hidden).Plus(target) * b).sum(-1);                // [B, N]
        R.AssertClose(expected, scores);
    }

    /// <summary>The CPU node (fused, hand-derived backward) against the composite torch form that
    /// autograd differentiates: the same term and the same gradients to clicks, queries and the table.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(100)]
    public void The_cpu_node_equals_the_composite_form_in_value_and_gradient(int chunk)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        long[] owners = [0, 0, 0, 1, 2, 2, 3, 3, 3, 3]; // four sessions, one of them a single click
        var sessions = tensor(owners);
        Tensor Leaf(params long[] shape) => randn(shape).requires_grad_(true);
        var (clicks, queries, table) = (Leaf(10, 6), Leaf(10, 6), Leaf(9, 6));
        var weights = randn(4, 9); // a loss that weighs every score differently

        var fused = Llm4Sbr.Training.Models.Backbones.TargetAttention.Scores(clicks, queries, sessions, 4, table, chunk);
        var fusedGrads = autograd.grad([(fused * weights).sum()], [clicks, queries, table]);
        var composite = Llm4Sbr.Training.Models.Backbones.TargetAttention.Composite(clicks, queries, sessions, 4, table, chunk);
        var compositeGrads = autograd.grad([(composite * weights).sum()], [clicks, queries, table]);

        R.AssertClose(composite, fused);
        for (int i = 0; i < 3; i++) R.AssertClose(compositeGrads[i], fusedGrads[i]);
    }

    [Theory]
    [InlineData(851, 512, 512)]      // a training batch of Beauty: the chunk as given
    [InlineData(5000, 2048, 838)]    // an evaluation batch: blocks kept under 4 Mi floats
    [InlineData(5000, 512, 512)]
    [InlineData(10_000_000, 512, 1)] // never below one item
    public void A_batch_with_many_clicks_takes_fewer_items_a_chunk(long clicks, int chunk, int expected)
    {
        Assert.Equal(expected, Llm4Sbr.Training.Models.Backbones.TargetAttention.ChunkFor(clicks, chunk));
        Assert.True(expected == 1 || clicks * expected <= Llm4Sbr.Training.Models.Backbones.TargetAttention.BlockFloats);
    }

    /// <summary>A batch large enough that the chunk shrinks (4,200 clicks x 1,100 items passes the block
    /// limit, so 998 items a chunk): the term equals the one-chunk composite form.</summary>
    [Fact]
    public void A_shrunken_chunk_gives_the_same_term()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(5);
        long clicks = 4200, items = 1100;
        Assert.True(Llm4Sbr.Training.Models.Backbones.TargetAttention.ChunkFor(clicks, (int)items) < items);
        var sessions = HeldScalars.Arange(0, clicks, 1, ScalarType.Int64).FloorOver(7); // 600 sessions of 7 clicks
        var (h, q, table) = (randn(clicks, 6), randn(clicks, 6), randn(items, 6));
        var scores = Llm4Sbr.Training.Models.Backbones.TargetAttention.Scores(h, q, sessions, 600, table, (int)items);
        var whole = Llm4Sbr.Training.Models.Backbones.TargetAttention.Composite(h, q, sessions, 600, table, (int)items);
        R.AssertClose(whole, scores);
    }
}

using System.Collections.Immutable;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models;
using TorchSharp;
using Llm4Sbr.Training.Tests.Support;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>The models' ragged, sparse computation against a transcription of the reference code's
/// padded, dense one (SR-GNN utils.py get_slice + model.py, LLM4SBR model_LLM.py), with the same weights.</summary>
public class ReferenceEquivalenceTests
{
    internal const int Items = 9;
    internal const int Hidden = 8;
    private const int TextDim = 6;

    // Sessions with repeats, self-loops, a length-1 prefix and different lengths (so padding happens).
    internal static readonly int[][] Prefixes = [[3, 5, 3, 7], [4, 4, 2], [9], [1, 2, 1, 2, 3, 8], [6, 6]];
    private static readonly int[] Targets = [2, 9, 1, 4, 6];

    internal static PreparedSampleSet Set() => new([.. Prefixes.Select((p, i) => new PreparedSample(i, i, [.. p], Targets[i], SessionGraph.Build(p)))]);

    [Fact]
    public void SrGnn_scores_equal_the_reference_padded_dense_computation()
    {
        manual_seed(11);
        using var model = TestModels.Create("srgnn", Items + 1, Hidden, seed: 11);
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var batch = BatchTensors.Create(Set(), ViewTable.None, [0, 1, 2, 3, 4], model.Input, CPU);
        var scores = model.forward(batch).Scores;

        var p = Parameters(model);
        var (a, ht) = ReferenceSessionVectors(p, "backbone.encoder.", "backbone.attention.");
        var expected = Hybrid(p, a, ht).matmul(p["backbone.encoder.embedding.weight"].t());
        Assert.Equal(new long[] { Prefixes.Length, Items }, scores.shape);
        AssertClose(expected, scores);
    }

    [Fact]
    public void Llm4Sbr_scores_and_auxiliary_loss_equal_the_reference_formulas()
    {
        manual_seed(12);
        var dims = new Dictionary<string, int> { ["long"] = TextDim, ["short"] = TextDim };
        var spec = ModelRegistry.Find("llm4sbr-srgnn").Match(s => s, e => throw new Exception(e.Message));
        using var model = (SessionModel)ModelRegistry.Create(spec, Items + 1, new ModelOptions(HiddenSize: Hidden), dims)
            .Match(m => m, e => throw new Exception(e.Message));
        model.train(); // the auxiliary loss is only computed in training mode
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var set = Set();
        var longText = randn(Prefixes.Length, TextDim);
        var shortText = randn(Prefixes.Length, TextDim);
        var views = new ViewTable(["long", "short"], [Matrix(longText), Matrix(shortText)]);
        var batch = BatchTensors.Create(set, views, [0, 1, 2, 3, 4], model.Input, CPU);
        var output = model.forward(batch);

        var p = Parameters(model);
        var (a, ht) = ReferenceSessionVectors(p, "backbone.encoder.", "backbone.attention.");
        var longEmb = F.linear(longText, p["views.long.projection.weight"], p["views.long.projection.bias"]);
        var shortEmb = F.linear(shortText, p["views.short.projection.weight"], p["views.short.projection.bias"]);
        var auLoss = ReferenceAuLoss(a, longEmb).Plus(ReferenceAuLoss(ht, shortEmb)).Times(0.1);
        var lAlpha = F.linear(sigmoid(a.Plus(longEmb)), p["views.long.gate.weight"]);
        var sAlpha = F.linear(sigmoid(ht.Plus(shortEmb)), p["views.short.gate.weight"]);
        var expected = Hybrid(p, a * lAlpha, ht * sAlpha).matmul(p["backbone.encoder.embedding.weight"].t());
        AssertClose(expected, output.Scores);
        Assert.Equal(auLoss.item<float>(), output.AuxiliaryLoss.item<float>(), 1e-5f);
    }

    /// <summary>model_LLM.py calculate_loss: alignment + (uniformity(x) + uniformity(y)) / 2 with torch.pdist.</summary>
    private static Tensor ReferenceAuLoss(Tensor x, Tensor y)
    {
        var xn = F.normalize(x, 2, -1);
        var yn = F.normalize(y, 2, -1);
        var align = (xn - yn).norm(1, false, 2).Squared().mean();
        return align.Plus(PdistUniformity(xn).Plus(PdistUniformity(yn)).Over(2));
    }

    private static Tensor PdistUniformity(Tensor xn)
    {
        var terms = new List<Tensor>();
        for (int i = 0; i < xn.shape[0]; i++)
            for (int j = i + 1; j < xn.shape[0]; j++)
                terms.Add((xn[i] - xn[j]).norm().Squared().Times(-2).exp());
        return stack(terms).mean().log();
    }

    private static Tensor Hybrid(Dictionary<string, Tensor> p, Tensor a, Tensor ht) =>
        F.linear(cat([a, ht], 1), p["backbone.linear_transform.weight"], p["backbone.linear_transform.bias"]);

    /// <summary>get_slice + forward + the first half of compute_scores, padded to the batch's longest
    /// session with item 0, which np.unique then includes as a node, exactly as the reference does.</summary>
    private static (Tensor A, Tensor Ht) ReferenceSessionVectors(Dictionary<string, Tensor> p, string prefix, string attentionPrefix)
    {
        var (seqHidden, maskT, ht) = ReferenceClickStates(p, prefix);
        int batch = Prefixes.Length;
        var at = attentionPrefix;
        var q1 = F.linear(ht, p[at + "linear_one.weight"], p[at + "linear_one.bias"]).view(batch, 1, Hidden);
        var q2 = F.linear(seqHidden, p[at + "linear_two.weight"], p[at + "linear_two.bias"]);
        var alpha = F.linear(sigmoid(q1.Plus(q2)), p[at + "linear_three.weight"]);
        var sg = (alpha * seqHidden * maskT.view(batch, -1, 1)).sum(1);
        return (sg, ht);
    }

    /// <summary>The reference's per-click hidden states <c>seq_hidden</c> [B, L, H] (padded), the mask [B, L]
    /// and the last click's state [B, H], from get_slice + forward (the GNN).</summary>
    internal static (Tensor SeqHidden, Tensor Mask, Tensor Ht) ReferenceClickStates(Dictionary<string, Tensor> p, string prefix)
    {
        int lenMax = Prefixes.Max(x => x.Length);
        var inputs = Prefixes.Select(x => x.Concat(Enumerable.Repeat(0, lenMax - x.Length)).ToArray()).ToArray();
        var mask = Prefixes.Select(x => Enumerable.Range(0, lenMax).Select(i => i < x.Length ? 1f : 0f).ToArray()).ToArray();
        var nodes = inputs.Select(u => u.Distinct().Order().ToArray()).ToArray();
        int maxN = nodes.Max(n => n.Length);
        int batch = inputs.Length;
        var items = new long[batch * maxN];
        var a = new float[batch * maxN * 2 * maxN];
        var alias = new long[batch * lenMax];
        for (int b = 0; b < batch; b++)
        {
            var node = nodes[b];
            for (int i = 0; i < node.Length; i++) items[b * maxN + i] = node[i];
            var uA = new float[maxN, maxN];
            for (int i = 0; i < lenMax - 1; i++)
            {
                if (inputs[b][i + 1] == 0) break;
                uA[Array.IndexOf(node, inputs[b][i]), Array.IndexOf(node, inputs[b][i + 1])] = 1;
            }
            var sumIn = new float[maxN]; var sumOut = new float[maxN];
            for (int r = 0; r < maxN; r++) for (int c = 0; c < maxN; c++) { sumIn[c] += uA[r, c]; sumOut[r] += uA[r, c]; }
            for (int i = 0; i < maxN; i++) { if (sumIn[i] == 0) sumIn[i] = 1; if (sumOut[i] == 0) sumOut[i] = 1; }
            // A[b] = concatenate([u_A / sum_in, u_A.T / sum_out]).T : [maxN, 2 maxN]
            for (int r = 0; r < maxN; r++)
                for (int c = 0; c < maxN; c++)
                {
                    a[(b * maxN + r) * 2 * maxN + c] = uA[c, r] / sumIn[r];
                    a[(b * maxN + r) * 2 * maxN + maxN + c] = uA[r, c] / sumOut[r];
                }
            for (int i = 0; i < lenMax; i++) alias[b * lenMax + i] = Array.IndexOf(node, inputs[b][i]);
        }
        var A = tensor(a, [batch, maxN, 2 * maxN]);
        // The reference's table has a padding row 0 (ours has none): any values there must change no score.
        var table = cat([randn(1, Hidden).Times(100), p[prefix + "embedding.weight"]]);
        var hidden = table.index_select(0, tensor(items)).view(batch, maxN, Hidden);
        // GNNCell
        var g = prefix + "gnn.";
        var inputIn = A[.., .., ..maxN].matmul(F.linear(hidden, p[g + "linear_edge_in.weight"], p[g + "linear_edge_in.bias"])).Plus(p[g + "b_iah"]);
        var inputOut = A[.., .., maxN..].matmul(F.linear(hidden, p[g + "linear_edge_out.weight"], p[g + "linear_edge_out.bias"])).Plus(p[g + "b_oah"]);
        var gi = F.linear(cat([inputIn, inputOut], 2), p[g + "w_ih"], p[g + "b_ih"]).chunk(3, 2);
        var gh = F.linear(hidden, p[g + "w_hh"], p[g + "b_hh"]).chunk(3, 2);
        var reset = sigmoid(gi[0].Plus(gh[0]));
        var input = sigmoid(gi[1].Plus(gh[1]));
        var newGate = tanh(gi[2].Plus(reset * gh[2]));
        hidden = newGate.Plus(input * (hidden - newGate));
        // seq_hidden = stack([hidden[i][alias_inputs[i]]])
        var aliasT = tensor(alias, [batch, lenMax]);
        var seqHidden = stack(Enumerable.Range(0, batch).Select(b => hidden[b].index_select(0, aliasT[b])));
        var maskT = tensor(mask.SelectMany(m => m).ToArray(), [batch, lenMax]);
        var last = tensor(Prefixes.Select(x => (long)x.Length - 1).ToArray());
        var ht = stack(Enumerable.Range(0, batch).Select(b => seqHidden[b][last[b]]));
        return (seqHidden, maskT, ht);
    }

    internal static Dictionary<string, Tensor> Parameters(nn.Module model) =>
        model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    private static EmbeddingMatrix Matrix(Tensor t) =>
        new((int)t.shape[0], (int)t.shape[1], t.data<float>().ToArray());

    internal static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"max abs difference {diff}");
    }
}

using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>GRU4Rec and SASRec against transcriptions of their reference computations (RecBole's GRU4Rec;
/// the official SASRec code's block), written as plain dense loops over fixed-length padded sequences
/// with the models' own weights.</summary>
public class SequentialReferenceTests
{
    const int Hidden = 8;
    const int MaxLength = 5; // shorter than the longest prefix (6): the oldest click is cut

    static Dictionary<string, Tensor> Parameters(nn.Module model) => model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    static int[] Kept(int[] prefix) => prefix.Skip(Math.Max(0, prefix.Length - MaxLength)).ToArray();

    static ModelParameters Settings(string backbone, string output) =>
        ModelRegistry.ParametersOf(ModelRegistry.Find(backbone).Match(s => s, e => throw new Exception(e.Message)))
            .Resolve(new Dictionary<string, string> { ["dropout"] = "0", ["max_length"] = $"{MaxLength}", ["output"] = output });

    [Theory]
    [InlineData("concat")]
    [InlineData("state")]
    public void Gru4Rec_scores_equal_a_step_by_step_gru(string output)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create("gru4rec", TinyBatches.Items + 1, Hidden, seed: 3, parameters: Settings("gru4rec", output));
        model.eval();
        using var noGrad = no_grad();
        var scores = model.forward(TinyBatches.Batch(model, ViewTable.None)).Scores;

        var p = Parameters(model);
        var table = p["backbone.embedding.weight"];
        var (wih, whh) = (p["backbone.gru.weight_ih_l0"].chunk(3, 0), p["backbone.gru.weight_hh_l0"].chunk(3, 0));
        for (int b = 0; b < TinyBatches.Prefixes.Length; b++)
        {
            var items = Kept(TinyBatches.Prefixes[b]);
            var h = zeros(Hidden);
            foreach (var item in items)
            {
                var x = table[item - 1];
                var r = sigmoid(wih[0].mv(x).Plus(whh[0].mv(h)));
                var z = sigmoid(wih[1].mv(x).Plus(whh[1].mv(h)));
                var n = tanh(wih[2].mv(x).Plus(r * whh[2].mv(h)));
                h = (z.SubtractedFrom(1) * n).Plus(z * h);
            }
            var state = F.linear(h.unsqueeze(0), p["backbone.dense.weight"], p["backbone.dense.bias"]);
            var session = output == "state" ? state
                : F.linear(cat([state, table[items[^1] - 1].unsqueeze(0)], 1), p["backbone.linear_transform.weight"], p["backbone.linear_transform.bias"]);
            AssertClose(session.matmul(table.t())[0], scores[b]);
        }
    }

    [Fact]
    public void SasRec_scores_equal_the_official_block_over_a_fixed_window()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create("sasrec", TinyBatches.Items + 1, Hidden, seed: 4, parameters: Settings("sasrec", "concat"));
        model.eval();
        using var noGrad = no_grad();
        var scores = model.forward(TinyBatches.Batch(model, ViewTable.None)).Scores;

        var p = Parameters(model);
        var table = p["backbone.embedding.weight"];
        for (int b = 0; b < TinyBatches.Prefixes.Length; b++)
        {
            // The official code's input: the window of max_length positions, padding first, positions 0..max_length-1.
            var items = Kept(TinyBatches.Prefixes[b]);
            int pad = MaxLength - items.Length;
            var mask = tensor(Enumerable.Range(0, MaxLength).Select(i => i < pad ? 0f : 1f).ToArray()).unsqueeze(1);
            var rows = stack(Enumerable.Range(0, MaxLength).Select(i => i < pad ? zeros(Hidden) : table[items[i - pad] - 1]));
            var x = rows.Times(Math.Sqrt(Hidden)).Plus(p["backbone.positions.weight"]) * mask;
            for (int block = 0; block < 2; block++)
            {
                string k(string name) => $"backbone.blocks.{block}.{name}";
                var q = Norm(x, p[k("attention_norm.weight")], p[k("attention_norm.bias")]);
                var queries = F.linear(q, p[k("query.weight")], p[k("query.bias")]);
                var keys = F.linear(x, p[k("key.weight")], p[k("key.bias")]);
                var values = F.linear(x, p[k("value.weight")], p[k("value.bias")]);
                var attended = zeros(MaxLength, Hidden);
                for (int i = 0; i < MaxLength; i++)
                {
                    var visible = Enumerable.Range(0, i + 1).Where(j => j >= pad).ToArray();
                    if (visible.Length == 0) continue; // a padded query: zeroed by the mask below anyway
                    var logits = stack(visible.Select(j => queries[i].dot(keys[j]).Over(Math.Sqrt(Hidden))));
                    var weights = F.softmax(logits, 0);
                    attended[i] = visible.Select((j, n) => weights[n] * values[j]).Aggregate((u, v) => u.Plus(v));
                }
                x = q.Plus(attended);
                x = Norm(x, p[k("feed_forward_norm.weight")], p[k("feed_forward_norm.bias")]);
                x = x.Plus(F.linear(F.relu(F.linear(x, p[k("inner.weight")], p[k("inner.bias")])), p[k("outer.weight")], p[k("outer.bias")]));
                x = x * mask;
            }
            var state = Norm(x[MaxLength - 1], p["backbone.final_norm.weight"], p["backbone.final_norm.bias"]).unsqueeze(0);
            var session = F.linear(cat([state, table[items[^1] - 1].unsqueeze(0)], 1), p["backbone.linear_transform.weight"], p["backbone.linear_transform.bias"]);
            AssertClose(session.matmul(table.t())[0], scores[b]);
        }
    }

    [Fact]
    public void Sequences_keep_the_most_recent_clicks_aligned_as_asked()
    {
        var set = TinyBatches.Set();
        var right = SequenceBatch.Assemble(set, [3, 2], new SequenceLayout(SequenceAlignment.Right, MaxLength));
        Assert.Equal(MaxLength, right.Length);
        // sample 3: [1, 2, 1, 2, 3, 8] cut to [2, 1, 2, 3, 8]; sample 2: [9] then padding. Rows are index - 1.
        Assert.Equal([1L, 0, 1, 2, 7, 8, 0, 0, 0, 0], right.Rows);
        Assert.Equal([1f, 1, 1, 1, 1, 1, 0, 0, 0, 0], right.Mask);
        Assert.Equal([4L, 0], right.LastPositions);
        Assert.Equal([7L, 8], right.LastRows);
        var left = SequenceBatch.Assemble(set, [1, 2], new SequenceLayout(SequenceAlignment.Left, MaxLength));
        Assert.Equal(3, left.Length); // as long as its longest sequence, not max_length
        Assert.Equal([3L, 3, 1, 0, 0, 8], left.Rows);
        Assert.Equal([1f, 1, 1, 0, 0, 1], left.Mask);
        Assert.Equal([2L, 2], left.LastPositions);
    }

    static Tensor Norm(Tensor x, Tensor weight, Tensor bias)
    {
        var mean = x.mean([-1L], keepdim: true);
        var variance = (x - mean).Squared().mean([-1L], keepdim: true);
        return ((x - mean) / sqrt(variance.Plus(1e-8)) * weight).Plus(bias);
    }

    static void AssertClose(Tensor expected, Tensor actual)
    {
        double diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"max abs difference {diff}");
    }
}

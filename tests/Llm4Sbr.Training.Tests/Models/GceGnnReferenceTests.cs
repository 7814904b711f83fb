using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Graphs;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>GCE-GNN's ragged computation against a step-by-step transcription of the official padded one
/// (CCIIPLab/GCE-GNN utils.Data.__getitem__, model.CombineGraph.forward and compute_scores, aggregator.py)
/// with the same weights, on <see cref="TinyBatches"/>' sessions and <see cref="TinyGraphs"/>' global graph.</summary>
public class GceGnnReferenceTests
{
    const int Hidden = 8;
    const int Items = TinyBatches.Items;
    const int SampleNum = 4;

    [Theory]
    [InlineData(1, "readout")]
    [InlineData(2, "readout")]
    [InlineData(1, "concat")]
    public void Scores_equal_the_official_padded_computation(int hops, string output)
    {
        using var scope = NewDisposeScope();
        var spec = ModelRegistry.Find("gcegnn").Match(s => s, e => throw new Exception(e.Message));
        var parameters = ModelRegistry.ParametersOf(spec).Resolve(new Dictionary<string, string> { ["hops"] = hops.ToString(), ["output"] = output });
        var graphs = TinyGraphs.For(Items);
        using var model = TestModels.Create("gcegnn", Items + 1, Hidden, seed: 21, parameters: parameters, graphs: graphs);
        model.eval(); // the official's dropouts are off at evaluation
        using var noGrad = no_grad();
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var scores = model.forward(TinyBatches.Batch(model, TinyBatches.Views(4))).Scores;

        var reference = Official(p, graphs.Global!, hops, TinyBatches.Prefixes);
        if (output == "concat")
        {
            var (select, last) = reference;
            var s = F.linear(cat([select, last], 1), p["backbone.combine.weight"], p["backbone.combine.bias"]);
            reference = (s, last);
        }
        var expected = reference.Select.matmul(p["backbone.embedding.weight"].t());
        double diff = (scores - expected).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"hops {hops}, {output}: scores differ from the official computation by {diff}");
    }

    /// <summary>The official forward, padded and dense, literally: returns the readout (select) and the
    /// last click's hidden state (seq_hidden at reversed position 0).</summary>
    static (Tensor Select, Tensor Last) Official(Dictionary<string, TorchSharp.Modules.Parameter> p, GlobalNeighbourTable graph, int hops, int[][] sessions)
    {
        int b = sessions.Length, maxLen = sessions.Max(s => s.Length);
        // utils.handle_data: reversed, zero-padded; mask.
        var inputs = sessions.Select(s => s.Reverse().Concat(Enumerable.Repeat(0, maxLen - s.Length)).ToArray()).ToArray();
        var itemsRows = new long[b * maxLen];
        var adj = new float[b * maxLen * maxLen];
        var alias = new long[b * maxLen];
        var mask = new float[b * maxLen];
        for (int n = 0; n < b; n++)
        {
            var u_input = inputs[n];
            var node = u_input.Distinct().Order().ToArray();                                 // np.unique (0 first when padded)
            for (int i = 0; i < node.Length; i++) itemsRows[n * maxLen + i] = node[i];
            int At(int item) => Array.IndexOf(node, item);
            float Get(int u, int v) => adj[(n * maxLen + u) * maxLen + v];
            void Set(int u, int v, float x) => adj[(n * maxLen + u) * maxLen + v] = x;
            for (int i = 0; i < u_input.Length - 1; i++)
            {
                int u = At(u_input[i]);
                Set(u, u, 1);
                if (u_input[i + 1] == 0) break;
                int v = At(u_input[i + 1]);
                Set(u, v, Get(v, u) == 2 ? 4 : 2);
                Set(v, u, Get(u, v) == 3 ? 4 : 3);
                Set(v, v, 1);
            }
            for (int i = 0; i < maxLen; i++) { alias[n * maxLen + i] = At(u_input[i]); mask[n * maxLen + i] = u_input[i] == 0 ? 0 : 1; }
        }
        // The official table has a padding row 0, which the model keeps as no_neighbour.
        var embedding = cat([p["backbone.no_neighbour"], p["backbone.embedding.weight"]], 0);
        var items = tensor(itemsRows, [b, maxLen]);
        var adjacency = tensor(adj, [b, maxLen, maxLen]);
        var maskItem = tensor(mask, [b, maxLen]);
        var seq = tensor(inputs.SelectMany(r => r.Select(x => (long)x)).ToArray(), [b, maxLen]);

        var h = embedding.index_select(0, items.flatten()).view(b, maxLen, Hidden);
        // LocalAggregator.forward
        int N = maxLen;
        var a_input = (h.repeat(1, 1, N).view(b, N * N, Hidden) * h.repeat(1, N, 1)).view(b, N, N, Hidden);
        Tensor E(string a) => a_input.matmul(p[$"backbone.local_agg.{a}"]).LeakyRelu(0.2).squeeze(-1).view(b, N, N);
        var alpha = where(adjacency.EqualTo(1), E("a_0"), HeldScalars.FullLike(adjacency, -9e15));
        alpha = where(adjacency.EqualTo(2), E("a_1"), alpha);
        alpha = where(adjacency.EqualTo(3), E("a_2"), alpha);
        alpha = where(adjacency.EqualTo(4), E("a_3"), alpha);
        var hLocal = softmax(alpha, -1).matmul(h);

        // CombineGraph.forward, global part
        var adjAll = tensor(graph.Neighbours, [graph.Items + 1, SampleNum]);
        var num = tensor(graph.Weights, [graph.Items + 1, SampleNum]);
        var itemNeighbours = new List<Tensor> { items };
        var weightNeighbours = new List<Tensor>();
        long support = N;
        for (int i = 1; i <= hops; i++)
        {
            var last = itemNeighbours[^1].flatten();
            support *= SampleNum;
            itemNeighbours.Add(adjAll.index_select(0, last).view(b, support));
            weightNeighbours.Add(num.index_select(0, last).view(b, support));
        }
        var entity = itemNeighbours.Select(t => embedding.index_select(0, t.flatten()).view(b, -1, Hidden)).ToList();
        var itemEmb = embedding.index_select(0, seq.flatten()).view(b, N, Hidden) * maskItem.unsqueeze(-1);
        var sumItemEmb = (itemEmb.sum(1) / maskItem.sum(-1).unsqueeze(-1)).unsqueeze(-2);
        var sessionInfo = Enumerable.Range(0, hops).Select(i => sumItemEmb.repeat(1, entity[i].shape[1], 1)).ToList();
        for (int nHop = 0; nHop < hops; nHop++)
        {
            var next = new List<Tensor>();
            for (int hop = 0; hop < hops - nHop; hop++)
            {
                string w = $"backbone.global_agg.{nHop}";
                var neighbour = entity[hop + 1].view(b, -1, SampleNum, Hidden);
                var extra = sessionInfo[hop];
                var weight = weightNeighbours[hop].view(b, -1, SampleNum);
                var al = cat([extra.unsqueeze(2).repeat(1, 1, SampleNum, 1) * neighbour, weight.unsqueeze(-1)], -1).matmul(p[$"{w}.w_1"]).squeeze(-1);
                al = al.LeakyRelu(0.2);
                al = softmax(al.matmul(p[$"{w}.w_2"]).squeeze(-1), -1).unsqueeze(-1);
                var aggregated = (al * neighbour).sum(-2);
                var o = cat([entity[hop], aggregated], -1).matmul(p[$"{w}.w_3"]).view(b, -1, Hidden);
                next.Add(F.relu(o));
            }
            entity = next;
        }
        var hGlobal = entity[0].view(b, N, Hidden);
        var hidden = hLocal.Plus(hGlobal);

        // forward(): seq_hidden by alias, then compute_scores
        var aliasT = tensor(alias, [b, maxLen]);
        var seqHidden = stack(Enumerable.Range(0, b).Select(i => hidden[i].index_select(0, aliasT[i])).ToArray());
        var m = maskItem.unsqueeze(-1);
        var pos = p["backbone.pos_embedding.weight"].narrow(0, 0, N).unsqueeze(0).repeat(b, 1, 1);
        var hs = ((seqHidden * m).sum(-2) / m.sum(1)).unsqueeze(-2).repeat(1, N, 1);
        var nh = tanh(cat([pos, seqHidden], -1).matmul(p["backbone.w_1"]));
        nh = sigmoid(F.linear(nh, p["backbone.glu1.weight"], p["backbone.glu1.bias"]).Plus(F.linear(hs, p["backbone.glu2.weight"])));
        var beta = nh.matmul(p["backbone.w_2"]) * m;
        var select = (beta * seqHidden).sum(1);
        return (select, seqHidden.select(1, 0));
    }
}

using System.Collections.Immutable;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Models.Backbones;
using Llm4Sbr.Training.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>DHCN against transcriptions of its official code (xiaxin1998/DHCN <c>model.py</c>,
/// <c>util.py</c>), written out per session with the model's own weights, and the backbone contract
/// (gradients, seeds, padding, leaks, the LLM4SBR wrapper) on the tiny batch.</summary>
public class DhcnBackboneTests
{
    const int Hidden = 8, MaxLength = 5, Layers = 3; // max_length 5 < the longest prefix (6): the oldest click is cut
    const double Beta = 0.01;

    /// <summary>The training sessions the hypergraph is built from: the tiny prefixes with their targets.</summary>
    static readonly int[][] TrainingSessions = [.. TinyBatches.Prefixes.Select((p, i) => p.Append(TinyBatches.Targets[i]).ToArray())];

    static Tensor Adjacency() => TinyGraphs.HypergraphAdjacency(TrainingSessions, TinyBatches.Items);

    static BackboneModel Plain(out DhcnBackbone backbone, SequenceOutput output = SequenceOutput.State, ulong seed = 3,
        Tensor? adjacency = null, int hidden = Hidden, double beta = Beta)
    {
        backbone = new DhcnBackbone(TinyBatches.Items, hidden, adjacency ?? Adjacency(), Layers, beta, MaxLength, output);
        return new BackboneModel(backbone, seed);
    }

    static BatchTensors Batch(SessionModel model, params int[] positions) => TinyBatches.Batch(model, ViewTable.None, positions);

    static Dictionary<string, Tensor> Parameters(nn.Module model) => model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    static int[] Kept(int[] prefix) => prefix.Skip(Math.Max(0, prefix.Length - MaxLength)).ToArray();

    static void AssertClose(Tensor expected, Tensor actual, double tolerance = 1e-5)
    {
        double diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff < tolerance, $"max abs difference {diff}");
    }

    /// <summary>The reference's <c>HyperConv</c> (mean of E, AE, A^2E, A^3E, torch's loop) over the dense
    /// util.py adjacency.</summary>
    static Tensor ReferenceItems(Tensor table) =>
        HypergraphConvolution.Composite(table, DhcnAdjacencyTests.ReferenceAdjacency(TrainingSessions, TinyBatches.Items), Layers);

    /// <summary>Every parameter of <paramref name="model"/> has a non-zero, NaN-free gradient.</summary>
    static void AssertEveryParameterLearns(nn.Module model)
    {
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name} has an all-zero gradient");
            Assert.False(p.grad.isnan().any().item<bool>(), $"{name} has a NaN gradient");
        }
    }

    [Theory]
    [InlineData(SequenceOutput.State)]
    [InlineData(SequenceOutput.Concat)]
    public void Scores_equal_the_official_generate_sess_emb_over_the_convolved_table(SequenceOutput output)
    {
        using var scope = NewDisposeScope();
        using var model = Plain(out _, output);
        model.eval();
        using var noGrad = no_grad();
        var scores = model.forward(Batch(model)).Scores;
        Assert.Equal(new long[] { TinyBatches.Prefixes.Length, TinyBatches.Items }, scores.shape);

        var p = Parameters(model);
        var items = ReferenceItems(p["backbone.embedding.weight"]);
        var positions = p["backbone.pos_embedding.weight"];
        for (int b = 0; b < TinyBatches.Prefixes.Length; b++)
        {
            // reversed_sess_item: the last click first; session_len counts repeats.
            var reversed = Kept(TinyBatches.Prefixes[b]).Reverse().ToArray();
            var seq = stack(reversed.Select(item => items[item - 1]));
            var hs = seq.sum(0L).Over(reversed.Length);
            var select = zeros(Hidden);
            for (int t = 0; t < reversed.Length; t++)
            {
                var nh = tanh(F.linear(cat([positions[t], seq[t]]).unsqueeze(0), p["backbone.w_1.weight"], p["backbone.w_1.bias"]));
                nh = sigmoid(F.linear(nh, p["backbone.glu1.weight"], p["backbone.glu1.bias"]).Plus(F.linear(hs.unsqueeze(0), p["backbone.glu2.weight"])));
                var beta = nh.matmul(p["backbone.w_2"]);                // no softmax
                select = select.Plus(beta[0] * seq[t]);
            }
            var session = output == SequenceOutput.State
                ? select.unsqueeze(0)
                : F.linear(cat([select, items[reversed[0] - 1]]).unsqueeze(0), p["backbone.linear_transform.weight"], p["backbone.linear_transform.bias"]);
            AssertClose(session.matmul(items.t())[0], scores[b]);
        }
    }

    [Fact]
    public void Parameters_are_drawn_in_the_reference_order_within_its_bound()
    {
        using var scope = NewDisposeScope();
        using var model = Plain(out var backbone);
        Assert.Equal(["w_2", "embedding.weight", "pos_embedding.weight", "w_1.weight", "w_1.bias", "glu1.weight", "glu1.bias", "glu2.weight"],
            backbone.named_parameters().Select(p => p.name));
        double bound = 1 / Math.Sqrt(Hidden);
        Assert.All(backbone.parameters(), p => Assert.True(p.abs().max().item<float>() <= bound));
        Assert.True(Parameters(backbone)["embedding.weight"].equal(backbone.ItemEmbeddings).all().item<bool>());
    }

    [Fact]
    public void The_line_graph_is_the_official_overlap_and_convolution_of_mean_raw_embeddings()
    {
        using var scope = NewDisposeScope();
        using var model = Plain(out var backbone);
        var batch = Batch(model);
        var clicks = PackedClicks.Of(batch.Sequences);
        var overlap = DhcnLineGraph.Overlap(clicks, batch.Size);

        // get_overlap: Jaccard of the distinct items, 0 on the diagonal, + I, then D^-1 A.
        var sets = TinyBatches.Prefixes.Select(p => Kept(p).ToHashSet()).ToArray();
        var expected = zeros(sets.Length, sets.Length);
        for (int i = 0; i < sets.Length; i++)
        {
            for (int j = i + 1; j < sets.Length; j++)
            {
                float jaccard = (float)sets[i].Intersect(sets[j]).Count() / sets[i].Union(sets[j]).Count();
                expected[i, j] = jaccard;
                expected[j, i] = jaccard;
            }
            expected[i, i] = 1;
        }
        expected = expected / expected.sum(1, keepdim: true);
        AssertClose(expected, overlap, 1e-6);
        // By hand: session 3 ({1, 2, 3, 8}) overlaps session 0 ({3, 5, 7}) by 1/6 and session 1 ({2, 4}) by 1/5.
        AssertClose(tensor(new[] { 5f / 41, 6f / 41, 0, 30f / 41, 0 }), overlap[3], 1e-6);

        // LineConv: mean raw embedding per session (repeats counted), then layers of D^-1 A, averaged.
        var table = backbone.ItemEmbeddings.detach();
        var x = stack(TinyBatches.Prefixes.Select(p => stack(Kept(p).Select(item => table[item - 1])).mean([0L])));
        var layer = x;
        var sum = x;
        for (int l = 0; l < Layers; l++)
        {
            layer = expected.mm(layer);
            sum = sum.Plus(layer);
        }
        var line = DhcnLineGraph.SessionEmbeddings(table, clicks, batch.Size, Layers);
        AssertClose(sum.Over(Layers + 1), line);
        Assert.False(line.requires_grad);
    }

    [Fact]
    public void The_contrastive_loss_is_the_official_ssl_by_hand()
    {
        using var scope = NewDisposeScope();
        var hypergraph = tensor(new float[] { 1, 0, 0, 2 }).view(2, 2);
        var line = tensor(new float[] { 0.5f, 1, 1, -1 }).view(2, 2);
        // pos = rows' dots [0.5, -2]; rows swapped then columns swapped: [[2, 0], [0, 1]]; neg = [1, -1].
        var loss = DhcnLineGraph.ContrastiveLoss(hypergraph, line, tensor(new long[] { 1, 0 }), tensor(new long[] { 1, 0 }));
        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        double expected = new[] { 0.5, -2 }.Sum(v => -Math.Log(1e-8 + Sigmoid(v))) + new[] { 1.0, -1 }.Sum(v => -Math.Log(1e-8 + 1 - Sigmoid(v)));
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void The_auxiliary_loss_is_beta_times_the_contrastive_loss_under_a_row_and_column_shuffle()
    {
        using var scope = NewDisposeScope();
        const int hidden = 3;                                   // 3 sessions x 3 dimensions: 36 shuffles to try
        using var model = Plain(out var backbone, hidden: hidden);
        model.train();
        var batch = Batch(model, 0, 1, 3);
        var encoding = backbone.Encode(batch);
        double aux = backbone.AuxiliaryLoss(encoding, batch)!.item<float>();
        var line = DhcnLineGraph.SessionEmbeddings(backbone.ItemEmbeddings.detach(), PackedClicks.Of(batch.Sequences), batch.Size, Layers);
        int[][] permutations = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        var candidates = from rows in permutations
                         from columns in permutations
                         select Beta * DhcnLineGraph.ContrastiveLoss(encoding.Long, line, tensor(rows.Select(i => (long)i).ToArray()),
                             tensor(columns.Select(i => (long)i).ToArray())).item<float>();
        Assert.Contains(candidates, c => Math.Abs(c - aux) < 1e-6);
    }

    /// <summary>The decision documented on <see cref="DhcnBackbone"/>: the line-graph channel is detached,
    /// so the self-supervised term's gradient is exactly what flows back through the hypergraph session
    /// vector theta. Were the line channel attached, the item table would get a second contribution.</summary>
    [Fact]
    public void The_auxiliary_gradient_flows_through_the_hypergraph_channel_only()
    {
        using var scope = NewDisposeScope();
        using var model = Plain(out var backbone);
        model.train();
        var batch = Batch(model);
        var encoding = backbone.Encode(batch);
        encoding.Long.retain_grad();
        backbone.AuxiliaryLoss(encoding, batch)!.backward();
        var viaAuxiliary = Parameters(backbone).ToDictionary(p => p.Key, p => p.Value.grad!.clone());
        var thetaGrad = encoding.Long.grad!.clone();
        Assert.True(viaAuxiliary["embedding.weight"].abs().sum().item<float>() > 0);

        backbone.zero_grad();
        (backbone.Encode(batch).Long * thetaGrad).sum().backward();
        foreach (var (name, p) in Parameters(backbone))
            AssertClose(viaAuxiliary[name], p.grad!, 1e-7);
    }

    [Theory]
    [InlineData(SequenceOutput.State)]
    [InlineData(SequenceOutput.Concat)]
    public void Gradients_reach_every_parameter(SequenceOutput output)
    {
        using var scope = NewDisposeScope();
        using var model = Plain(out _, output);
        model.train();
        var batch = Batch(model);
        var result = model.forward(batch);
        Assert.True(result.AuxiliaryLoss.item<float>() > 0);
        F.cross_entropy(result.Scores, batch.Targets).Plus(result.AuxiliaryLoss).backward();
        AssertEveryParameterLearns(model);
    }

    [Fact]
    public void Padding_never_reaches_the_scores_or_the_auxiliary_loss()
    {
        using var scope = NewDisposeScope();
        using var a = Plain(out var backboneA);
        using var b = Plain(out var backboneB);
        var batch = Batch(a);
        // The padded cells read item row 0; point them at another item instead.
        var sequence = batch.Sequences;
        var mask = sequence.Mask.to(ScalarType.Int64);
        var moved = batch with { Sequence = sequence with { Rows = (sequence.Rows * mask).Plus(mask.SubtractedFrom(1).Times(6)) } };
        Assert.False(moved.Sequences.Rows.equal(sequence.Rows).all().item<bool>());
        using (no_grad())
        {
            a.eval(); b.eval();
            AssertClose(a.forward(batch).Scores, b.forward(moved).Scores, 1e-7);
            AssertClose(backboneA.AuxiliaryLoss(backboneA.Encode(batch), batch)!, backboneB.AuxiliaryLoss(backboneB.Encode(moved), moved)!, 1e-7);

            // And a session scores the same alone (no padding) as in the padded batch.
            var all = a.forward(batch).Scores;
            for (int i = 0; i < TinyBatches.Prefixes.Length; i++)
                AssertClose(all[i], a.forward(Batch(a, i)).Scores[0]);
        }
    }

    [Fact]
    public void Sparse_and_dense_adjacencies_and_torchs_product_give_the_same_scores()
    {
        using var scope = NewDisposeScope();
        using var sparse = Plain(out _);
        using var dense = Plain(out _, adjacency: Adjacency().to_dense());
        using var composite = Plain(out _);
        composite.to(ScalarType.Float64);          // float64: torch's sparse product instead of the CPU node
        foreach (var m in new[] { sparse, dense, composite }) m.eval();
        using var noGrad = no_grad();
        var expected = sparse.forward(Batch(sparse)).Scores;
        AssertClose(expected, dense.forward(Batch(dense)).Scores, 1e-6);
        AssertClose(expected, composite.forward(Batch(composite)).Scores.to(ScalarType.Float32), 1e-6);
    }

    [Fact]
    public void The_cpu_convolution_matches_torchs_in_value_and_gradient()
    {
        using var scope = NewDisposeScope();
        var adjacency = Adjacency();
        var rows = SparseRows.Of(adjacency);
        using var generator = new Generator(4);
        var table = randn([TinyBatches.Items, 13], generator: generator).requires_grad_();   // 13: not a multiple of the vector width
        var weights = randn([TinyBatches.Items, 13], generator: generator);
        var fast = HypergraphConvolution.Apply(table, adjacency, rows, rows.Transpose(), Layers);
        (fast * weights).sum().backward();
        var fastGrad = table.grad!.clone();
        table.grad!.zero_();
        var reference = HypergraphConvolution.Composite(table, adjacency.to_dense(), Layers);
        (reference * weights).sum().backward();
        AssertClose(reference, fast, 1e-6);
        AssertClose(table.grad!, fastGrad, 1e-6);
    }

    [Fact]
    public void A_seed_fixes_the_weights_the_scores_and_the_shuffles()
    {
        using var scope = NewDisposeScope();
        using var a = Plain(out var backboneA, seed: 9);
        using var b = Plain(out var backboneB, seed: 9);
        using var c = Plain(out _, seed: 10);
        foreach (var (key, value) in a.state_dict())
            Assert.True(value.equal(b.state_dict()[key]).all().item<bool>(), $"{key} differs for the same seed");
        Assert.Contains(a.state_dict(), p => !p.Value.equal(c.state_dict()[p.Key]).all().item<bool>());
        a.train(); b.train();
        var batch = Batch(a);
        float Aux(DhcnBackbone backbone) => backbone.AuxiliaryLoss(backbone.Encode(batch), batch)!.item<float>();
        float first = Aux(backboneA), second = Aux(backboneA);
        Assert.Equal(first, Aux(backboneB));
        Assert.Equal(second, Aux(backboneB));
        Assert.NotEqual(first, second);                      // each step draws fresh shuffles
    }

    [Fact]
    public void A_training_step_leaves_no_tensor_behind()
    {
        using var model = Plain(out _);
        model.train();
        void Step()
        {
            using var scope = NewDisposeScope();
            var batch = Batch(model);
            var output = model.forward(batch);
            F.cross_entropy(output.Scores, batch.Targets).Plus(output.AuxiliaryLoss).backward();
        }
        Step();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Step();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void The_state_dict_holds_the_parameters_only_and_reloads()
    {
        using var scope = NewDisposeScope();
        using var model = Plain(out _);
        var state = model.state_dict();
        Assert.Equal(model.named_parameters().Select(p => p.name).Order(), state.Keys.Order());
        var snapshot = state.ToDictionary(p => p.Key, p => p.Value.clone());  // as the trainer keeps its best epoch
        model.load_state_dict(snapshot);
    }

    [Fact]
    public void Llm4Sbr_wraps_dhcn_with_finite_values_and_gradients_everywhere()
    {
        using var scope = NewDisposeScope();
        var backbone = new DhcnBackbone(TinyBatches.Items, Hidden, Adjacency(), Layers, Beta, MaxLength, SequenceOutput.Concat);
        ImmutableArray<ViewBinding> bindings = [new("long", ViewSlot.Long), new("short", ViewSlot.Short)];
        var dims = new Dictionary<string, int> { ["long"] = 4, ["short"] = 4 };
        using var model = new Llm4SbrModel(backbone, bindings, dims, alignAndUniform: true, alignUniformWeight: 0.1, seed: 6);
        using var withoutAu = new Llm4SbrModel(
            new DhcnBackbone(TinyBatches.Items, Hidden, Adjacency(), Layers, Beta, MaxLength, SequenceOutput.Concat),
            bindings, dims, alignAndUniform: false, alignUniformWeight: 0.1, seed: 6);
        model.train(); withoutAu.train();
        var views = TinyBatches.Views(4, "long", "short");
        var batch = TinyBatches.Batch(model, views);
        var output = model.forward(batch);
        Assert.False(output.Scores.isnan().any().item<bool>() || output.Scores.isinf().any().item<bool>());
        Assert.True(float.IsFinite(output.AuxiliaryLoss.item<float>()));
        Assert.True(withoutAu.forward(TinyBatches.Batch(withoutAu, views)).AuxiliaryLoss.item<float>() > 0); // DHCN's own term
        F.cross_entropy(output.Scores, batch.Targets).Plus(output.AuxiliaryLoss).backward();
        AssertEveryParameterLearns(model);
    }
}

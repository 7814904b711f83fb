using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Graphs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>How GCE-GNN forms its final session vector. <see cref="Readout"/>: the official soft-attention
/// readout alone (the paper's model; a short view then changes no score, only its alignment acts).
/// <see cref="Concat"/>: W [readout; last click], SR-GNN's combination, which gives LLM4SBR's short view
/// a vector to gate.</summary>
public enum GceGnnOutput { Readout, Concat }

/// <summary>How GCE-GNN starts its readout. <see cref="Official"/>: every weight U(+-1/sqrt(H)) as the
/// official <c>reset_parameters</c>. <see cref="Positive"/>: the same draw, with w_2 negated when the
/// initial click weight (<see cref="GceGnnBackbone.InitialClickWeight"/>) is not positive, so that the
/// readout starts as a positive weighting of the clicks.</summary>
public enum GceGnnReadoutInit { Official, Positive }

/// <summary>GCE-GNN (Wang et al., SIGIR 2020) as its official code (CCIIPLab/GCE-GNN, model.py,
/// aggregator.py, utils.py), ragged instead of padded:
/// <list type="bullet">
/// <item>session level: <see cref="GceGnnLocalAggregator"/> over each session's typed graph
/// (<see cref="TypedGraphBatch"/>: self, in, out, in-out edges of the reversed session).</item>
/// <item>global level: <c>hops</c> rounds of <see cref="GceGnnGlobalAggregator"/> over the fixed neighbour
/// sample of the global graph (<see cref="GlobalNeighbourTable"/>, built by the <c>graphs</c> stage),
/// KGCN-style as the official loop; the session vector s is the mean of the session's click embeddings.
/// Neighbour 0 ("none": the official zero rows of items without neighbours) reads the official padding
/// embedding row, kept here as its own parameter <c>no_neighbour</c> since the item table has no padding row.</item>
/// <item>h = dropout(h_local, dropout_local) + dropout(h_global, dropout_global) per node (official
/// defaults 0 and 0.5; dropout_gcn 0).</item>
/// <item>readout as <c>compute_scores</c>: z_i = tanh(W_1 [p_i ; h_i]) with p_i the embedding of the
/// click's position counted from the end (0 = last click; positions past the table's last row share it,
/// where the official would index out of range), beta_i = w_2^T sigmoid(glu1 z_i + glu2 s'), s' the mean
/// of the clicks' h (no softmax), S = sum_i beta_i h_i; scores = S E^T over the real items.</item>
/// <item>initialisation: every parameter U(+-1/sqrt(H)), as the official <c>reset_parameters</c>.</item>
/// </list>
/// On the seam: long = S, the readout (the official's whole-session vector); short = h of the last
/// click (the node state the readout weighs at position 0: the official has no separate last-click
/// vector, so this is the natural "short" as in SR-GNN). Combine: <c>output: readout</c> (default) returns
/// long, so the plain model is exactly the official; <c>output: concat</c> is W [long; short].
/// Left out as unused by the official forward: <c>linear_transform</c> and the aggregators' <c>bias</c>.
/// <para>The readout's sign at the start decides the fit. beta_i = w_2^T sigmoid(..) has no softmax, and at
/// initialisation the gate's inputs are of order 0.03, so every click's beta is about
/// w_2^T sigmoid(b_glu1) (<see cref="InitialClickWeight"/>), positive or negative by the seed alone. When it
/// is not positive, S starts as a negative multiple of the clicks and training settles in a mirrored optimum
/// in which targets are scored by their anti-alignment with the session, at odds with the neighbour sums of
/// both aggregators. On Beauty the first 400 steps of 15 seeds (1-12, 42-44) split by that sign alone: mean
/// loss of steps 301-400 8.86-8.89 for the 6 seeds with a weight at or below 0, 8.50-8.58 for the 9 above
/// it; seed 42 with its w_2 negated joins the second group, seed 43 with seed 42's w_2 the first. Trained
/// to the end, seed 42 gives test P@20 12.84 against 18.96 and 18.73 for seeds 43 and 44. <c>output: concat</c>
/// (W [S; h_last], the LLM4SBR models' default) is not affected: W absorbs the sign. <see cref="GceGnnReadoutInit.Positive"/> (<c>readout_init: positive</c>)
/// negates w_2 when needed: the same distribution of weights, only the sign fixed. The default stays the
/// official draw, which the paper's baseline used.</para></summary>
public sealed class GceGnnBackbone : SessionBackbone
{
    /// <summary>The item table: row j is the item of dense index j + 1 (no padding row).</summary>
    public override Parameter ItemEmbeddings => embedding.weight!;

    /// <summary>Sparse lookup gradients (a batch's few thousand rows), as SR-GNN's table: a dense one
    /// would zero-fill and add a whole table per lookup and step.</summary>
    private readonly Embedding embedding;
    private readonly Parameter no_neighbour;
    private readonly Embedding pos_embedding;
    private readonly GceGnnLocalAggregator local_agg;
    private readonly ModuleList<GceGnnGlobalAggregator> global_agg;
    private readonly Parameter w_1, w_2;
    private readonly Linear glu1, glu2;
    private readonly Linear? combine;
    private readonly Tensor neighbours, neighbour_weights;
    private readonly int hidden, hops, sampleNum;
    private readonly double dropoutLocal, dropoutGlobal;
    private readonly GceGnnReadoutInit readoutInit;
    private IReadOnlyList<string> initialisationWarnings = [];

    public GceGnnBackbone(int items, int hidden, GlobalNeighbourTable graph, int hops, double dropoutLocal, double dropoutGlobal,
        double dropoutGcn, double alpha, int positions, GceGnnOutput output, GceGnnReadoutInit readoutInit = GceGnnReadoutInit.Official)
        : base(nameof(GceGnnBackbone))
    {
        if (graph.Items != items)
            throw new ArgumentException($"the global graph covers {graph.Items} items, the model {items}: they come from different vocabularies");
        embedding = nn.Embedding(items, hidden, sparse: true);
        no_neighbour = new Parameter(empty(1, hidden));
        pos_embedding = nn.Embedding(positions, hidden);
        local_agg = new GceGnnLocalAggregator(hidden, alpha);
        global_agg = nn.ModuleList([.. Enumerable.Range(0, hops).Select(_ => new GceGnnGlobalAggregator(hidden, dropoutGcn))]);
        w_1 = new Parameter(empty(2 * hidden, hidden));
        w_2 = new Parameter(empty(hidden, 1));
        glu1 = nn.Linear(hidden, hidden, hasBias: true);
        glu2 = nn.Linear(hidden, hidden, hasBias: false);
        combine = output == GceGnnOutput.Concat ? nn.Linear(2 * hidden, hidden, hasBias: true) : null;
        neighbours = tensor(graph.Neighbours, [items + 1, graph.SampleNum], ScalarType.Int64);
        neighbour_weights = tensor(graph.Weights, [items + 1, graph.SampleNum], ScalarType.Float32);
        (this.hidden, this.hops, sampleNum, this.dropoutLocal, this.dropoutGlobal) = (hidden, hops, graph.SampleNum, dropoutLocal, dropoutGlobal);
        this.readoutInit = readoutInit;
        // The graph is training data, not a weight: moved with the module, not saved in its state.
        register_buffer(nameof(neighbours), neighbours, persistent: false);
        register_buffer(nameof(neighbour_weights), neighbour_weights, persistent: false);
        RegisterComponents();
    }

    public override int Hidden => hidden;
    public override BatchInput Input => BatchInput.TypedGraphs;

    public override SessionEncoding Encode(BatchTensors batch)
    {
        var g = batch.TypedGraphs;
        var h = embedding.forward(g.NodeItems.Minus(1));                                      // [nodes, H]
        var local = local_agg.forward(h, g.EdgeFrom, g.EdgeTo, g.EdgeTypes);
        var clickItems = h.index_select(0, g.ClickNodes);
        var session = SegmentMean(clickItems, g);                                             // official sum_item_emb
        var global = Global(g.NodeItems, h, session.index_select(0, g.NodeSessions));
        var nodes = F.dropout(local, dropoutLocal, training).Plus(F.dropout(global, dropoutGlobal, training));

        var clicks = nodes.index_select(0, g.ClickNodes);                                    // seq_hidden, ragged
        var mean = SegmentMean(clicks, g).index_select(0, g.ClickSessions);
        var positions = g.ClickPositions.AtMost(pos_embedding.weight!.shape[0] - 1);
        var z = tanh(cat([pos_embedding.forward(positions), clicks], 1).matmul(w_1));
        z = sigmoid(glu1.forward(z).Plus(glu2.forward(mean)));
        var beta = z.matmul(w_2);                                                             // [clicks, 1]
        var readout = zeros([g.Size, hidden], clicks.dtype, clicks.device).IndexAdd(0, g.ClickSessions, beta * clicks);
        return new SessionEncoding(readout, nodes.index_select(0, g.LastNodes));
    }

    public override Tensor Combine(Tensor longVector, Tensor shortVector) =>
        combine is null ? longVector : combine.forward(cat([longVector, shortVector], 1));

    public override Tensor Score(SessionEncoding encoding, Tensor session) => session.matmul(embedding.weight!.t());

    public override IReadOnlyList<string> InitialisationWarnings => initialisationWarnings;

    public override void ResetParameters(Generator generator)
    {
        Initialisation.UniformReference(this, hidden, generator, $"{nameof(embedding)}.weight");
        double weight = InitialClickWeight();
        if (readoutInit == GceGnnReadoutInit.Positive && weight <= 0)
            using (no_grad()) w_2.neg_();
        // With output: concat, W [S; h_last] absorbs the sign: nothing to warn of.
        initialisationWarnings = readoutInit == GceGnnReadoutInit.Official && weight <= 0 && combine is null
            ? [$"GCE-GNN starts with a readout that weighs every click by about {weight:F3} (w_2' sigmoid(b_glu1) <= 0): " +
               "such starts train to a markedly worse optimum (Beauty: P@20 12.8 against 18.7-19.0 for seeds that start above 0); " +
               "model_params readout_init: positive negates w_2 at the start"]
            : [];
    }

    /// <summary>The readout weight beta of a click whose gate inputs are zero, w_2^T sigmoid(b_glu1): at
    /// initialisation every click's beta to first order (see the class remarks).</summary>
    public double InitialClickWeight() => ClickWeightOf(glu1.bias!, w_2);

    /// <summary><see cref="InitialClickWeight"/> from the two tensors it reads (<c>glu1.bias</c>, <c>w_2</c>),
    /// for callers that hold a model's parameters by name rather than the backbone.</summary>
    public static double ClickWeightOf(Tensor gluBias, Tensor w2)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return sigmoid(gluBias).matmul(w2).item<float>();
    }

    static Tensor SegmentMean(Tensor rows, TypedGraphTensors g) =>
        zeros([g.Size, rows.shape[1]], rows.dtype, rows.device).IndexAdd(0, g.ClickSessions, rows) / g.ClickCounts;

    /// <summary>The official multi-hop loop: level 0 is the batch's nodes, level k + 1 the sampled
    /// neighbours of level k ([nodes, S^k] ids); round r aggregates level k + 1 into level k for every
    /// k below hops - r with aggregator r, so after all rounds level 0 holds h_global.</summary>
    private Tensor Global(Tensor nodeItems, Tensor h, Tensor session)
    {
        long n = nodeItems.shape[0];
        var ids = new List<Tensor> { nodeItems.view(n, 1) };
        var weights = new List<Tensor>();
        for (int k = 0; k < hops; k++)
        {
            var flat = ids[k].flatten();
            ids.Add(neighbours.index_select(0, flat).view(n, -1));                          // [n, S^(k+1)]
            weights.Add(neighbour_weights.index_select(0, flat).view(n, -1, sampleNum));     // [n, S^k, S]
        }
        var vectors = new List<Tensor> { h.view(n, 1, hidden) };
        for (int k = 1; k <= hops; k++) vectors.Add(Embed(ids[k]));                          // [n, S^k, H]
        var extra = session.view(n, 1, 1, hidden);
        for (int round = 0; round < hops; round++)
        {
            var next = new List<Tensor>();
            for (int k = 0; k < hops - round; k++)
                next.Add(global_agg[round].forward(vectors[k], vectors[k + 1].view(n, -1, sampleNum, hidden), weights[k], extra));
            vectors = next;
        }
        return vectors[0].view(n, hidden);
    }

    /// <summary>Item vectors of dense indices (any shape, [.., H] out); index 0 reads <c>no_neighbour</c>.</summary>
    private Tensor Embed(Tensor ids)
    {
        var flat = ids.flatten();
        var rows = embedding.forward(flat.Minus(1).AtLeast(0));
        var none = flat.EqualTo(0);
        // Training items all have neighbours (sessions have two clicks or more): skip the pass when none is "none".
        var vectors = none.any().item<bool>() ? where(none.unsqueeze(1), no_neighbour.expand_as(rows), rows) : rows;
        return vectors.view([.. ids.shape, hidden]);
    }
}

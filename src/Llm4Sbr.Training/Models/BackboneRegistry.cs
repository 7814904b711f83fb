using System.Collections.Immutable;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Graphs;
using Llm4Sbr.Training.Models.Backbones;

namespace Llm4Sbr.Training.Models;

/// <summary>What a backbone's constructor gets: the number of real items, the hidden size, its resolved
/// parameters and, for a backbone whose entry declares <see cref="BackboneEntry.Needs"/>, the
/// training-wide graphs in dense indices (<see cref="Graphs"/>; the trainer fills it from the
/// <c>graphs</c> stage, <c>recommend</c> from the run's <c>graphs</c> output).</summary>
public sealed record BackboneArguments(int Items, int Hidden, ModelParameters Parameters)
{
    public ItemGraphs? Graphs { get; init; }

    /// <summary>GCE-GNN's neighbour table; <see cref="ModelRegistry.Create"/> has checked it is there.</summary>
    public GlobalNeighbourTable GlobalGraph => Graphs?.Global ?? throw new ArgumentException("the global item graph is missing");

    /// <summary>DHCN's matrices; <see cref="ModelRegistry.Create"/> has checked they are there.</summary>
    public HypergraphMatrices Hypergraph => Graphs?.Hypergraph ?? throw new ArgumentException("the item hypergraph is missing");
}

/// <summary>Everything the product knows about one backbone: its name in pipelines, the paper's
/// spelling, the batch format it reads, the <c>model_params</c> keys it takes, and its constructor.
/// A new backbone is its module file(s) plus one entry in <see cref="BackboneRegistry.All"/>; its plain
/// model, its LLM4SBR model and the ablations follow from the entry.</summary>
public sealed record BackboneEntry(string Name, string DisplayName, BatchFormat Format, ParameterSchema Parameters, Func<BackboneArguments, SessionBackbone> Create)
{
    /// <summary>The training-wide graphs the constructor reads (<see cref="BackboneArguments.Graphs"/>):
    /// a listed model with any makes <c>train</c> plan the <c>graphs</c> stage, which builds these parts.</summary>
    public GraphNeeds Needs { get; init; } = GraphNeeds.None;

    /// <summary>Defaults that differ for the backbone's LLM4SBR models (GCE-GNN: <c>output: concat</c>, so
    /// the short view has a vector to gate, while the plain model keeps the official readout).</summary>
    public ImmutableDictionary<string, string> Llm4SbrDefaults { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>The version of the backbone's code as far as results go: bump it with any change to the
    /// module (or its constructor call here) that changes what a fit computes, so that memoized fits of
    /// its models (plain, LLM4SBR, ablations, LLM2X) are recomputed and every other model's are reused
    /// (<see cref="ModelRegistry.CodeVersionOf"/>).</summary>
    public int Version { get; init; } = 1;
}

/// <summary>The backbones the engine trains (the paper's Table 3 rows).</summary>
public static class BackboneRegistry
{
    static readonly ParameterSpec GnnSteps = ParameterSpec.Integer("gnn_steps", 1, 1, 16, "propagation steps of the gated graph layer (default: training.gnn_steps)");
    static readonly ParameterSpec MaxLength = ParameterSpec.Integer("max_length", 50, 1, 1000, "most recent clicks of a session kept");
    static readonly ParameterSpec Output = ParameterSpec.Choice("output", "concat", ["concat", "state"],
        "final session vector: concat = W [state; last item] (SR-GNN's, lets a short view act), state = the sequence state alone (the backbone's paper)");

    public static ImmutableArray<BackboneEntry> All { get; } =
    [
        new("gru4rec", "GRU4Rec", BatchFormat.Sequence,
            new([
                ParameterSpec.Real("dropout", 0.3, 0, 0.95, "dropout on the item embeddings (RecBole's default)"),
                MaxLength, Output,
            ]),
            a => new Gru4RecBackbone(a.Items, a.Hidden, a.Parameters.Real("dropout"), a.Parameters.Integer("max_length"), OutputOf(a))),
        new("sasrec", "SASRec", BatchFormat.Sequence,
            new([
                ParameterSpec.Integer("blocks", 2, 1, 12, "self-attention blocks (the paper's b = 2)"),
                ParameterSpec.Integer("heads", 1, 1, 16, "attention heads (the paper's single head); must divide hidden"),
                ParameterSpec.Integer("inner", 0, 0, 16384, "feed-forward inner size; 0 = the hidden size, as the paper"),
                ParameterSpec.Real("dropout", 0.5, 0, 0.95, "dropout (the paper's 0.5 for sparse data such as Beauty)"),
                MaxLength, Output,
            ]),
            a => new SasRecBackbone(a.Items, a.Hidden, a.Parameters.Integer("blocks"), a.Parameters.Integer("heads"),
                a.Parameters.Integer("inner") is var inner && inner > 0 ? inner : a.Hidden, a.Parameters.Real("dropout"), a.Parameters.Integer("max_length"), OutputOf(a))),
        new("srgnn", "SR-GNN", BatchFormat.SessionGraph,
            new([GnnSteps]),
            a => new SrGnnBackbone(a.Items, a.Hidden, a.Parameters.Integer("gnn_steps"))),
        new("tagnn", "TAGNN", BatchFormat.SessionGraph,
            new([GnnSteps, ParameterSpec.Integer("item_chunk", 512, 1, 10_000_000,
                "items per target-attention chunk (speed and memory, not results); fewer for a batch whose [clicks, chunk] logits would pass 16 MB")]),
            a => new TagnnBackbone(a.Items, a.Hidden, a.Parameters.Integer("gnn_steps"), a.Parameters.Integer("item_chunk"))),
        new("gcegnn", "GCE-GNN", BatchFormat.TypedSessionGraph,
            new([
                ParameterSpec.Integer("hops", 1, 1, 3, "global-graph hops (official n_iter: 1; 2 for diginetica); the graph's epsilon and sample_num are the graphs section's"),
                ParameterSpec.Real("dropout_local", 0, 0, 0.95, "dropout on the session-level item vectors (official default 0)"),
                ParameterSpec.Real("dropout_global", 0.5, 0, 0.95, "dropout on the global-level item vectors (official default 0.5)"),
                ParameterSpec.Real("dropout_gcn", 0, 0, 0.95, "dropout inside each global aggregator (official default 0)"),
                ParameterSpec.Real("alpha", 0.2, 0, 1, "LeakyReLU slope of the session-level attention (official default 0.2)"),
                ParameterSpec.Integer("positions", 200, 1, 100_000, "rows of the reversed position embedding (official 200; older clicks share the last row)"),
                ParameterSpec.Choice("output", "readout", ["readout", "concat"],
                    "final session vector: readout = the official soft-attention readout alone (default of gcegnn), concat = W [readout; last click], which lets a short view act (default of the llm4sbr-gcegnn models)"),
                ParameterSpec.Choice("readout_init", "official", ["official", "positive"],
                    "official = the official uniform draw; positive = the same draw with the readout vector w_2 negated when every click would start with a weight of 0 or less, a start that trains to a worse optimum (see GceGnnBackbone)")
                    with { KeyedAtDefault = false },
            ]),
            a => new GceGnnBackbone(a.Items, a.Hidden, a.GlobalGraph, a.Parameters.Integer("hops"), a.Parameters.Real("dropout_local"),
                a.Parameters.Real("dropout_global"), a.Parameters.Real("dropout_gcn"), a.Parameters.Real("alpha"), a.Parameters.Integer("positions"),
                a.Parameters.Choice("output") == "concat" ? GceGnnOutput.Concat : GceGnnOutput.Readout,
                a.Parameters.Choice("readout_init") == "positive" ? GceGnnReadoutInit.Positive : GceGnnReadoutInit.Official))
        {
            Needs = GraphNeeds.GlobalItemGraph,
            Llm4SbrDefaults = ImmutableDictionary<string, string>.Empty.Add("output", "concat"),
        },
        new("dhcn", "DHCN", BatchFormat.Sequence,
            new([
                ParameterSpec.Integer("layers", 3, 0, 10, "hypergraph and line-graph convolution layers (the paper's 3)"),
                ParameterSpec.Real("beta", 0.01, 0, 10, "weight of the self-supervised term (official 0.01; 0 turns it off)"),
                ParameterSpec.Integer("max_length", 200, 1, 1000, "most recent clicks kept; rows of the reversed position table (official 200)"),
                ParameterSpec.Choice("output", "state", ["state", "concat"],
                    "final session vector: state = the official hypergraph session vector alone (default of dhcn), concat = W [session; last click], which lets a short view act (default of the llm4sbr-dhcn models)"),
            ]),
            a => new DhcnBackbone(a.Items, a.Hidden, a.Hypergraph.Adjacency.ToSparseCoo(), a.Parameters.Integer("layers"),
                a.Parameters.Real("beta"), a.Parameters.Integer("max_length"), OutputOf(a)))
        {
            Needs = GraphNeeds.ItemHypergraph,
            Llm4SbrDefaults = ImmutableDictionary<string, string>.Empty.Add("output", "concat"),
        },
    ];

    public static ImmutableArray<string> Names => [.. All.Select(b => b.Name)];

    public static BackboneEntry? Find(string name) => All.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));

    static SequenceOutput OutputOf(BackboneArguments a) => a.Parameters.Choice("output") == "state" ? SequenceOutput.State : SequenceOutput.Concat;
}

using Llm4Sbr.Training.Batching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>DHCN's encoding: the two session vectors plus the convolved item table, which the scores are
/// taken against.</summary>
public sealed record HypergraphEncoding(Tensor Long, Tensor Short, Tensor Items) : SessionEncoding(Long, Short);

/// <summary>DHCN (Xia et al., AAAI 2021, "Self-Supervised Hypergraph Convolutional Networks for
/// Session-based Recommendation") as its official code (xiaxin1998/DHCN <c>model.py</c>), on the seam.
/// <list type="bullet">
/// <item>Hypergraph channel, every batch over the whole table: X_0 = E, X_{l+1} = A X_l for
/// <c>layers</c> layers (A the normalised item adjacency, <see cref="Graphs.ItemHypergraph"/>, given to the
/// constructor), X = mean of X_0..X_L. Session vector as <c>generate_sess_emb</c>: over the session's
/// clicks x_t (from X) with reversed positions p_t (0 = last click), h = mean_t x_t,
/// n_t = sigmoid(glu1(tanh(w_1 [pos_p_t; x_t])) + glu2(h)), theta = sum_t (n_t . w_2) x_t (no softmax).
/// Scores = session X^T over the real items.</item>
/// <item>Seam: long = theta, the reference's final session vector (the session as a whole); short = the
/// last click's row of X (its most recent interest, in the space the scores are taken in).
/// combine: <see cref="SequenceOutput.State"/> returns long unchanged, so the plain model scores exactly
/// as the reference; <see cref="SequenceOutput.Concat"/> is W [long; short], SR-GNN's form, the one
/// through which LLM4SBR's short view can act (with <c>state</c> the short view's gate changes no score
/// and gets no gradient), as GRU4Rec's and SASRec's <c>output</c>.</item>
/// <item>Line-graph channel and self-supervision (<see cref="AuxiliaryLoss"/>, training only): the
/// batch's sessions as nodes (<see cref="DhcnLineGraph"/>), their mean raw item embeddings convolved
/// <c>layers</c> times and averaged; loss beta x sum_b [-log sigmoid(theta_b . l_b) - log(1 - sigmoid(l_b . theta~_b))]
/// with theta~ theta shuffled by rows then columns. Shuffles come from a private generator seeded, in
/// <see cref="ResetParameters"/>, by a draw from the model's seeded generator (so a seed fixes them; the
/// generator advances with each training step, as the reference's global one does).</item>
/// <item>Decision, gradient of the line channel: we follow the official code, which detaches it (it
/// copies the gathered embeddings through numpy): the contrastive term trains the hypergraph channel
/// (and through it every parameter) towards a fixed line-graph view of the batch. The DHCN paper's
/// equations would let both channels learn from it, but every published DHCN figure, the LLM4SBR
/// paper's included, comes from this code, and the channel has no parameters of its own, so detaching
/// only removes a second path into the item table.</item>
/// <item>Decision, L2: the reference parses <c>--l2 1e-5</c> but never gives it to Adam. The module
/// adds no penalty; the trainer's shared L2 (<c>training.l2</c>, torch weight decay) applies to DHCN
/// as to every backbone, one protocol for all rows of Table 3 (as the trainer's learning-rate decay,
/// which the reference also lacks). <c>training.l2 = 0</c> gives the reference's setting.</item>
/// <item>Input: padded sequences, left-aligned, the last <c>max_length</c> clicks (the reference keeps
/// all, with a 200-row position table: longer sessions fail there). The attention and the line channel
/// run on the packed real clicks, positions counted back from the last click (<see cref="PackedClicks"/>):
/// the positions the reference's reversed, right-padded rows give, without its masked padding.</item>
/// <item>Cost: the convolution runs every batch (3 products with a 1.58 M-entry matrix on Beauty, and 3
/// with its transpose backward). On the CPU it is one autograd node with a hand-written sparse product
/// (<see cref="HypergraphConvolution"/>; libtorch's took 1.6 s a step); elsewhere torch's sparse product.</item>
/// <item>Initialisation as the reference's <c>init_parameters</c>: every parameter U(+-1/sqrt(H)), drawn
/// in the reference's parameter order (w_2, item table, positions, w_1, glu1, glu2). The table has no
/// padding row; neither has the reference's (its padding zero row is prepended at lookup).</item>
/// <item>Not taken over: the Tmall-only variant without positions, the Nowplaying-only adjacency
/// filter, the reference's duplicated last batch; no dropout (the reference has none).</item>
/// </list></summary>
public sealed class DhcnBackbone : SessionBackbone
{
    // Declaration order = parameter order = the reference's (its own w_2 first, then its submodules).
    private readonly Parameter w_2;
    private readonly Embedding embedding;
    private readonly Embedding pos_embedding;
    private readonly Linear w_1;
    private readonly Linear glu1;
    private readonly Linear glu2;
    private readonly Linear? linear_transform;
    private readonly int hidden;
    private readonly int layers;
    private readonly double beta;
    private readonly SequenceLayout layout;
    // Not a Tensor field: TorchSharp would register it as a buffer, and state dicts (checkpoints, the
    // trainer's best-epoch snapshot) copy buffers' bytes, which a sparse tensor has not. Moved in _to.
    private Hypergraph hypergraph;
    private Generator shuffles = new(0);

    /// <summary>The adjacency as given (moved with the module) and, read once, its rows and its
    /// transpose's for the CPU product (<see cref="HypergraphConvolution"/>).</summary>
    private sealed record Hypergraph(Tensor Adjacency, SparseRows Rows, SparseRows Transposed);

    /// <param name="items">n, the real items (table rows; row j = dense index j + 1).</param>
    /// <param name="hidden">H, the embedding size (the reference's 100).</param>
    /// <param name="adjacency">The normalised item adjacency [n, n], float, sparse COO (or dense):
    /// <see cref="Graphs.CsrMatrix.ToSparseCoo"/> of the graphs stage's hypergraph adjacency. The module keeps its own reference.</param>
    /// <param name="layers">Hypergraph and line-graph convolution layers (the reference's 3).</param>
    /// <param name="beta">Weight of the self-supervised term (the reference's 0.01); 0 turns it off.</param>
    /// <param name="maxLength">Most recent clicks kept, and rows of the position table (the reference's 200).</param>
    /// <param name="output">The final session vector (<see cref="SequenceOutput.State"/> is the reference's).</param>
    public DhcnBackbone(int items, int hidden, Tensor adjacency, int layers, double beta, int maxLength, SequenceOutput output)
        : base(nameof(DhcnBackbone))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layers);
        ArgumentOutOfRangeException.ThrowIfNegative(beta);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (adjacency.dim() != 2 || adjacency.shape[0] != items || adjacency.shape[1] != items)
            throw new ArgumentException($"DHCN needs an [{items}, {items}] item adjacency, got [{string.Join(", ", adjacency.shape)}]", nameof(adjacency));
        if (adjacency.dtype != ScalarType.Float32)
            throw new ArgumentException($"DHCN needs a float32 item adjacency, got {adjacency.dtype}", nameof(adjacency));
        w_2 = nn.Parameter(empty(hidden, 1));
        embedding = nn.Embedding(items, hidden);
        pos_embedding = nn.Embedding(maxLength, hidden);
        w_1 = nn.Linear(2 * hidden, hidden, hasBias: true);
        glu1 = nn.Linear(hidden, hidden, hasBias: true);
        glu2 = nn.Linear(hidden, hidden, hasBias: false);
        linear_transform = output == SequenceOutput.Concat ? nn.Linear(2 * hidden, hidden, hasBias: true) : null;
        this.hidden = hidden;
        this.layers = layers;
        this.beta = beta;
        layout = new SequenceLayout(SequenceAlignment.Left, maxLength);
        var rows = SparseRows.Of(adjacency);
        hypergraph = new Hypergraph(adjacency.detach().DetachFromDisposeScope(), rows, rows.Transpose());
        RegisterComponents();
    }

    public override int Hidden => hidden;
    public override BatchInput Input => BatchInput.Sequences(layout);

    /// <summary>The raw item table E [n, H] (before convolution).</summary>
    public override Parameter ItemEmbeddings => embedding.weight!;

    public override SessionEncoding Encode(BatchTensors batch)
    {
        var sequence = batch.Sequences;
        var items = Convolve();
        var clicks = PackedClicks.Of(sequence);
        var x = items.index_select(0, clicks.Rows);                                            // [clicks, H]
        var mean = clicks.MeanPerSession(x, sequence.Size).index_select(0, clicks.Sessions);
        var gate = tanh(w_1.forward(cat([pos_embedding.forward(clicks.ReversedPositions), x], 1)));
        gate = sigmoid(glu1.forward(gate).Plus(glu2.forward(mean)));
        var weights = gate.matmul(w_2);                                                       // [clicks, 1]
        var session = zeros([sequence.Size, hidden], x.dtype, x.device).IndexAdd(0, clicks.Sessions, weights * x);
        return new HypergraphEncoding(session, items.index_select(0, sequence.LastRows), items);
    }

    /// <summary>The hypergraph convolution of the item table, recomputed every call (the table changes
    /// every step; only the constant adjacency is kept).</summary>
    private Tensor Convolve() =>
        HypergraphConvolution.Apply(embedding.weight!, hypergraph.Adjacency, hypergraph.Rows, hypergraph.Transposed, layers);

    public override Tensor Combine(Tensor longVector, Tensor shortVector) =>
        linear_transform is null ? longVector : linear_transform.forward(cat([longVector, shortVector], 1));

    public override Tensor Score(SessionEncoding encoding, Tensor session) => session.matmul(((HypergraphEncoding)encoding).Items.t());

    public override Tensor? AuxiliaryLoss(SessionEncoding encoding, BatchTensors batch)
    {
        if (beta == 0) return null;
        var theta = encoding.Long;
        var line = DhcnLineGraph.SessionEmbeddings(embedding.weight!.detach(), PackedClicks.Of(batch.Sequences), batch.Size, layers);
        var rows = randperm(theta.shape[0], generator: shuffles).to(theta.device);
        var columns = randperm(theta.shape[1], generator: shuffles).to(theta.device);
        return DhcnLineGraph.ContrastiveLoss(theta, line, rows, columns).Times(beta);
    }

    public override IReadOnlyList<Generator> TrainingGenerators => [shuffles];

    public override void ResetParameters(Generator generator)
    {
        Initialisation.UniformReference(this, hidden, generator, itemTableKey: null);
        using var draw = randint(long.MaxValue, [1], generator: generator);
        long seed = draw.item<long>();
        shuffles.Dispose();
        shuffles = new Generator((ulong)seed);
    }

    // Module.to walks Tensor fields and registered buffers only; the adjacency follows here.
    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
    {
        base._to(deviceType, deviceIndex, non_blocking);
        var adjacency = hypergraph.Adjacency;
        if (adjacency.device_type != deviceType || adjacency.device_index != deviceIndex)
            Replace(adjacency.to(deviceType, deviceIndex, non_blocking: non_blocking));
        return this;
    }

    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
    {
        base._to(device, dtype, non_blocking);
        Replace(hypergraph.Adjacency.to(dtype, device, non_blocking: non_blocking));
        return this;
    }

    protected override nn.Module _to(ScalarType dtype, bool non_blocking)
    {
        base._to(dtype, non_blocking);
        Replace(hypergraph.Adjacency.to(dtype, non_blocking: non_blocking));
        return this;
    }

    private void Replace(Tensor moved)
    {
        var old = hypergraph.Adjacency;
        if (ReferenceEquals(moved, old)) return;
        hypergraph = hypergraph with { Adjacency = moved.DetachFromDisposeScope() };
        old.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hypergraph.Adjacency.Dispose();
            shuffles.Dispose();
        }
        base.Dispose(disposing);
    }
}

using Llm4Sbr.Training.Batching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>GRU4Rec (Hidasi et al., ICLR 2016) in the form RecBole trains it (RUCAIBox/RecBole
/// <c>gru4rec.py</c>): item embedding, dropout on the embeddings, one GRU layer without biases over
/// right-aligned padded sequences, a dense layer from the GRU state to the item space, the output at the
/// last real click, cross-entropy over the whole catalogue against the shared item table.
/// <list type="bullet">
/// <item>long = dense(GRU state at the last click): the session so far; short = the last click's item
/// embedding. combine: <see cref="SequenceOutput"/> (default W [long; short]).</item>
/// <item>Initialisation as RecBole: item table Xavier normal, GRU weights Xavier uniform, linear layers
/// torch's default.</item>
/// <item>Differences: the original paper trains session-parallel mini-batches with a ranking loss
/// (TOP1/BPR); the LLM4SBR paper compares all backbones under next-item cross-entropy on prefixes, as
/// RecBole does, so we do too. Embedding and hidden sizes are the shared hidden size (RecBole: 64/128).
/// The table has no padding row: padded positions (after the last click) never reach the output, so
/// their row gets no gradient.</item>
/// </list></summary>
public sealed class Gru4RecBackbone : SessionBackbone
{
    private readonly Embedding embedding;
    private readonly FastDropout embedding_dropout;
    private readonly GRU gru;
    private readonly Linear dense;
    private readonly Linear? linear_transform;
    private readonly int hidden;
    private readonly SequenceLayout layout;

    public Gru4RecBackbone(int items, int hidden, double dropout, int maxLength, SequenceOutput output) : base(nameof(Gru4RecBackbone))
    {
        embedding = nn.Embedding(items, hidden, sparse: true);
        embedding_dropout = new FastDropout(dropout);
        gru = nn.GRU(hidden, hidden, numLayers: 1, bias: false, batchFirst: true);
        dense = nn.Linear(hidden, hidden, hasBias: true);
        linear_transform = output == SequenceOutput.Concat ? nn.Linear(2 * hidden, hidden, hasBias: true) : null;
        this.hidden = hidden;
        layout = new SequenceLayout(SequenceAlignment.Right, maxLength);
        RegisterComponents();
    }

    public override int Hidden => hidden;
    public override Parameter ItemEmbeddings => embedding.weight!;
    public override BatchInput Input => BatchInput.Sequences(layout);

    public override SessionEncoding Encode(BatchTensors batch)
    {
        var sequence = batch.Sequences;
        var inputWeight = gru.get_parameter("weight_ih_l0")!;
        var hiddenWeight = gru.get_parameter("weight_hh_l0")!;
        if (!PackedGru.Handles(embedding.weight!, hiddenWeight))
        {
            // Packed, the GRU runs each sequence over its own clicks only (RecBole gathers the same
            // values from the padded output).
            var inputs = embedding_dropout.forward(embedding.forward(sequence.Rows));      // [B, L, H]
            var packed = nn.utils.rnn.pack_padded_sequence(inputs, sequence.Lengths, batch_first: true, enforce_sorted: false);
            var (_, last) = gru.call(packed, null);                                         // last: [1, B, H]
            return new SessionEncoding(dense.forward(last[0]), embedding.forward(sequence.LastRows));
        }
        // On the CPU only the real clicks are looked up, once (the last click's vector is gathered from
        // them, so the table gets one sparse gradient), in time-major order, and the recurrence is one
        // fused autograd node (PackedGru: same values, a fraction of the operators).
        var packing = PackedGru.Packing(sequence.Lengths.data<long>().ToArray(), sequence.Length);
        using var order = tensor(packing.PaddedIndex);
        using var lastClicks = tensor(packing.LastClicks);
        var clicks = embedding.forward(sequence.Rows.view(-1).index_select(0, order));      // [N, H]
        var states = PackedGru.LastStates(embedding_dropout.forward(clicks), packing, inputWeight, hiddenWeight);
        return new SessionEncoding(dense.forward(states), clicks.index_select(0, lastClicks));
    }

    public override Tensor Combine(Tensor longVector, Tensor shortVector) =>
        linear_transform is null ? longVector : linear_transform.forward(cat([longVector, shortVector], 1));

    public override Tensor Score(SessionEncoding encoding, Tensor session) => session.matmul(embedding.weight!.t());

    public override void ResetParameters(Generator generator)
    {
        Initialisation.XavierNormal(embedding.weight!, generator);
        foreach (var (name, p) in gru.named_parameters())
            if (name.StartsWith("weight_", StringComparison.Ordinal)) Initialisation.XavierUniform(p, generator);
        Initialisation.LinearDefault(dense, generator);
        if (linear_transform is not null) Initialisation.LinearDefault(linear_transform, generator);
    }
}

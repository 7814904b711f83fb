using Llm4Sbr.Training.Batching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>SASRec (Kang and McAuley, ICDM 2018) as the paper and its official code (kang205/SASRec):
/// item embeddings scaled by sqrt(H) plus learned absolute position embeddings, dropout;
/// <c>blocks</c> causal self-attention blocks (<see cref="SelfAttentionBlock"/>: one head and an
/// inner size of H by default, as the paper); a final layer norm; the output at the last click, scored
/// against the shared item table.
/// <list type="bullet">
/// <item>Sequences are left-aligned, as the official code pads them: the last click is always the last
/// column, and positions count from the end of the <c>max_length</c> window, so a click's position
/// embedding depends only on its distance from the end, whatever the batch's length.</item>
/// <item>long = the last column's output (the session so far); short = the last click's item embedding;
/// combine: <see cref="SequenceOutput"/> (default W [long; short]).</item>
/// <item>Differences: the official code trains with one sampled negative and binary cross-entropy; the
/// LLM4SBR comparison uses cross-entropy over the whole catalogue (as RecBole's SASRec), so we do.
/// The table has no padding row: only real clicks are embedded (the position-wise layers run on them
/// packed), and padded keys are masked out of every attention. Dropout 0.5 is the paper's value for the sparse datasets (Beauty).</item>
/// </list></summary>
public sealed class SasRecBackbone : SessionBackbone
{
    private readonly Embedding embedding;
    private readonly Embedding positions;
    private readonly FastDropout embedding_dropout;
    private readonly ModuleList<SelfAttentionBlock> blocks;
    private readonly LayerNorm final_norm;
    private readonly Linear? linear_transform;
    private readonly int hidden;
    private readonly SequenceLayout layout;

    public SasRecBackbone(int items, int hidden, int blockCount, int heads, int innerSize, double dropout, int maxLength, SequenceOutput output)
        : base(nameof(SasRecBackbone))
    {
        embedding = nn.Embedding(items, hidden, sparse: true);
        positions = nn.Embedding(maxLength, hidden);
        embedding_dropout = new FastDropout(dropout);
        blocks = nn.ModuleList([.. Enumerable.Range(0, blockCount).Select(_ => new SelfAttentionBlock(hidden, heads, innerSize, dropout))]);
        final_norm = nn.LayerNorm(hidden, eps: 1e-8);
        linear_transform = output == SequenceOutput.Concat ? nn.Linear(2 * hidden, hidden, hasBias: true) : null;
        this.hidden = hidden;
        layout = new SequenceLayout(SequenceAlignment.Left, maxLength);
        RegisterComponents();
    }

    public override int Hidden => hidden;
    public override Parameter ItemEmbeddings => embedding.weight!;
    public override BatchInput Input => BatchInput.Sequences(layout);

    public override SessionEncoding Encode(BatchTensors batch)
    {
        var sequence = batch.Sequences;
        long length = sequence.Length;
        // The real clicks, packed: table rows and positions counted from the end of the window.
        var rows = sequence.Rows.view(-1).index_select(0, sequence.PackedIndex);
        var positionIds = sequence.PackedColumns.Plus(layout.MaxLength - length);
        // One lookup: the last click's vector is gathered from the clicks', so the table gets one sparse gradient.
        var clicks = embedding.forward(rows);
        var x = clicks.Times(Math.Sqrt(hidden)).Plus(positions.forward(positionIds));
        x = embedding_dropout.forward(x);
        var attention = new CausalLayout(PackedSessions.Of(sequence.Lengths.data<long>().ToArray()), sequence.PackedIndex, sequence.Mask, length);
        foreach (var block in blocks) x = block.forward(x, attention);
        var last = final_norm.forward(x.index_select(0, sequence.LastPacked));               // each session's last click
        return new SessionEncoding(last, clicks.index_select(0, sequence.LastPacked));
    }

    public override Tensor Combine(Tensor longVector, Tensor shortVector) =>
        linear_transform is null ? longVector : linear_transform.forward(cat([longVector, shortVector], 1));

    public override Tensor Score(SessionEncoding encoding, Tensor session) => session.matmul(embedding.weight!.t());

    public override void ResetParameters(Generator generator)
    {
        Initialisation.XavierUniform(embedding.weight!, generator);
        Initialisation.XavierUniform(positions.weight!, generator);
        foreach (var block in blocks) block.ResetParameters(generator);
        Initialisation.Constant(final_norm.weight, 1);
        Initialisation.Constant(final_norm.bias, 0);
        if (linear_transform is not null) Initialisation.LinearDefault(linear_transform, generator);
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>One SASRec block as the paper's official code (kang205/SASRec) computes it:
/// <code>
/// Q = LN1(x);  x = Q + Dropout(Attention(Q, x, x))        // causal, padded keys masked
/// x = LN2(x);  x = x + Dropout(W2 Dropout(ReLU(W1 x)))    // point-wise feed-forward
/// </code>
/// Every position-wise layer runs on the real clicks only, packed ([P, H], see
/// <see cref="Batching.SequenceBatch"/>); only the attention products see the padded [B, L] layout,
/// where padded keys are masked. The official code computes padded positions too and zeroes them
/// afterwards; on Beauty (8.5 clicks a prefix, batches padded to up to 50) that was 6x the work.
/// Attention: per head, softmax(Q_h K_h^T / sqrt(d_h) + mask) V_h with Q, K, V linear maps (with bias)
/// and no output projection, dropout on the attention weights. Residuals add the normalised input, as
/// that code does (the paper's text writes x + Dropout(g(LN(x)))).</summary>
public sealed class SelfAttentionBlock : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly LayerNorm attention_norm;
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly Dropout attention_dropout;
    private readonly Dropout output_dropout;
    private readonly LayerNorm feed_forward_norm;
    private readonly Linear inner;
    private readonly Linear outer;
    private readonly Dropout inner_dropout;
    private readonly Dropout outer_dropout;
    private readonly int heads;

    public SelfAttentionBlock(int hidden, int heads, int innerSize, double dropout) : base(nameof(SelfAttentionBlock))
    {
        if (hidden % heads != 0) throw new ArgumentException($"hidden size {hidden} is not a multiple of {heads} heads", nameof(heads));
        attention_norm = nn.LayerNorm(hidden, eps: 1e-8);
        query = nn.Linear(hidden, hidden, hasBias: true);
        key = nn.Linear(hidden, hidden, hasBias: true);
        value = nn.Linear(hidden, hidden, hasBias: true);
        attention_dropout = nn.Dropout(dropout);
        output_dropout = nn.Dropout(dropout);
        feed_forward_norm = nn.LayerNorm(hidden, eps: 1e-8);
        inner = nn.Linear(hidden, innerSize, hasBias: true);
        outer = nn.Linear(innerSize, hidden, hasBias: true);
        inner_dropout = nn.Dropout(dropout);
        outer_dropout = nn.Dropout(dropout);
        this.heads = heads;
        RegisterComponents();
    }

    /// <param name="x">[P, H] the real clicks, packed.</param>
    /// <param name="blocked">[B, 1, L, L] true where query i may not see key j (j &gt; i, or j padded).</param>
    /// <param name="packedIndex">[P] each click's place in the padded [B x L] layout.</param>
    public override Tensor forward(Tensor x, Tensor blocked, Tensor packedIndex)
    {
        var q = attention_norm.forward(x);
        x = q + output_dropout.forward(Attend(q, x, blocked, packedIndex));
        x = feed_forward_norm.forward(x);
        return x + outer_dropout.forward(outer.forward(inner_dropout.forward(F.relu(inner.forward(x)))));
    }

    private Tensor Attend(Tensor queries, Tensor keys, Tensor blocked, Tensor packedIndex)
    {
        long b = blocked.shape[0], l = blocked.shape[2], h = queries.shape[1], d = h / heads;
        Tensor Padded(Tensor rows) =>
            zeros([b * l, h], rows.dtype, rows.device).index_copy(0, packedIndex, rows).view(b, l, heads, d).transpose(1, 2); // [B, heads, L, d]
        var (qh, kh, vh) = (Padded(query.forward(queries)), Padded(key.forward(keys)), Padded(value.forward(keys)));
        // A large negative rather than -inf: a padded query row with every key blocked stays finite
        // (uniform weights); it is never gathered back.
        var logits = qh.matmul(kh.transpose(2, 3)).div(Math.Sqrt(d)).masked_fill(blocked, -1e9);
        var weights = attention_dropout.forward(F.softmax(logits, -1));
        return weights.matmul(vh).transpose(1, 2).reshape(b * l, h).index_select(0, packedIndex);
    }

    /// <summary>Glorot-uniform weights and zero biases (TensorFlow's dense defaults, the official
    /// code's), layer norms at scale 1 and shift 0.</summary>
    public void ResetParameters(Generator generator)
    {
        foreach (var norm in new[] { attention_norm, feed_forward_norm })
        {
            Initialisation.Constant(norm.weight, 1);
            Initialisation.Constant(norm.bias, 0);
        }
        foreach (var linear in new[] { query, key, value, inner, outer })
        {
            Initialisation.XavierUniform(linear.weight!, generator);
            Initialisation.Constant(linear.bias, 0);
        }
    }
}

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
/// Every layer runs on the real clicks only, packed ([P, H], see <see cref="Batching.SequenceBatch"/>),
/// the attention too (<see cref="CausalAttention"/>: within each session, no padded keys). The official
/// code computes padded positions too and zeroes them afterwards; on Beauty (8.5 clicks a prefix, batches
/// padded to up to 50) that was 6x the work.
/// Attention: per head, softmax(Q_h K_h^T / sqrt(d_h) + mask) V_h with Q, K, V linear maps (with bias)
/// and no output projection, dropout on the attention weights. Residuals add the normalised input, as
/// that code does (the paper's text writes x + Dropout(g(LN(x)))).</summary>
public sealed class SelfAttentionBlock : nn.Module<Tensor, CausalLayout, Tensor>
{
    private readonly LayerNorm attention_norm;
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly FastDropout output_dropout;
    private readonly LayerNorm feed_forward_norm;
    private readonly Linear inner;
    private readonly Linear outer;
    private readonly FastDropout inner_dropout;
    private readonly FastDropout outer_dropout;
    private readonly int heads;
    private readonly double dropout;

    public SelfAttentionBlock(int hidden, int heads, int innerSize, double dropout) : base(nameof(SelfAttentionBlock))
    {
        if (hidden % heads != 0) throw new ArgumentException($"hidden size {hidden} is not a multiple of {heads} heads", nameof(heads));
        attention_norm = nn.LayerNorm(hidden, eps: 1e-8);
        query = nn.Linear(hidden, hidden, hasBias: true);
        key = nn.Linear(hidden, hidden, hasBias: true);
        value = nn.Linear(hidden, hidden, hasBias: true);
        output_dropout = new FastDropout(dropout);
        feed_forward_norm = nn.LayerNorm(hidden, eps: 1e-8);
        inner = nn.Linear(hidden, innerSize, hasBias: true);
        outer = nn.Linear(innerSize, hidden, hasBias: true);
        inner_dropout = new FastDropout(dropout);
        outer_dropout = new FastDropout(dropout);
        this.heads = heads;
        this.dropout = dropout;
        RegisterComponents();
    }

    /// <param name="x">[P, H] the real clicks, packed.</param>
    /// <param name="layout">Where those clicks sit (sessions, padded places).</param>
    public override Tensor forward(Tensor x, CausalLayout layout)
    {
        var q = attention_norm.forward(x);
        x = q.Plus(output_dropout.forward(CausalAttention.Apply(query.forward(q), key.forward(x), value.forward(x), layout, heads, dropout, training)));
        x = feed_forward_norm.forward(x);
        return x.Plus(outer_dropout.forward(outer.forward(inner_dropout.forward(F.relu(inner.forward(x))))));
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

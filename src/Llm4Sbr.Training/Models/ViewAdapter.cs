using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>One view of LLM4SBR: a linear map of the view's text embedding into the hidden space, and
/// the soft-attention fusion gate: fused = session x gate(sigmoid(session + view)), gate = Linear(H, 1)
/// without bias (the paper's w4 / w5; <c>linear_four</c> / <c>linear_five</c> in its code).</summary>
public sealed class ViewAdapter : nn.Module<Tensor, Tensor, (Tensor Fused, Tensor View)>
{
    private readonly Linear projection;
    private readonly Linear gate;

    public ViewAdapter(int textDim, int hidden) : base(nameof(ViewAdapter))
    {
        projection = nn.Linear(textDim, hidden, hasBias: true);
        gate = nn.Linear(hidden, 1, hasBias: false);
        RegisterComponents();
    }

    /// <param name="session">[B, H] the session vector this view is bound to.</param>
    /// <param name="text">[B, d] the view's text embeddings.</param>
    public override (Tensor Fused, Tensor View) forward(Tensor session, Tensor text)
    {
        var view = projection.forward(text);
        return (session * gate.forward(sigmoid(session.Plus(view))), view);
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>SR-GNN's soft attention to the global session vector:
/// alpha_i = linear_three(sigmoid(linear_one(last) + linear_two(click_i))), s_g = sum_i alpha_i click_i
/// over the session's real clicks. SR-GNN uses alpha as it is (the reference's masked sum, no softmax);
/// TAGNN normalises it with a softmax over the session's clicks (<paramref name="softmax"/>).</summary>
public sealed class SoftAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear linear_one;
    private readonly Linear linear_two;
    private readonly Linear linear_three;
    private readonly bool softmax;

    public SoftAttention(int hidden, bool softmax = false) : base(nameof(SoftAttention))
    {
        linear_one = nn.Linear(hidden, hidden, hasBias: true);
        linear_two = nn.Linear(hidden, hidden, hasBias: true);
        linear_three = nn.Linear(hidden, 1, hasBias: false);
        this.softmax = softmax;
        RegisterComponents();
    }

    /// <param name="clicks">[positions, H] hidden state of every click of the batch.</param>
    /// <param name="last">[B, H] hidden state of each session's last click.</param>
    /// <param name="positionSessions">[positions] session (0..B-1) of each click.</param>
    public override Tensor forward(Tensor clicks, Tensor last, Tensor positionSessions)
    {
        var q1 = linear_one.forward(last).index_select(0, positionSessions);
        var alpha = linear_three.forward(sigmoid(q1.Plus(linear_two.forward(clicks))));
        if (softmax) alpha = SegmentSoftmax.Apply(alpha, positionSessions, last.shape[0]);
        return zeros_like(last).IndexAdd(0, positionSessions, alpha * clicks);
    }
}

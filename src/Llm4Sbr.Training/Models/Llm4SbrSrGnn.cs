using System.Collections.Immutable;
using Llm4Sbr.Training.Batching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>LLM4SBR with the SR-GNN backbone, as the paper and its code (<c>model_LLM.py</c>): per view the
/// text embedding is mapped into the hidden space, aligned with its session vector (global with
/// <c>long</c>, local with <c>short</c>; the hybrid vector with <c>normal</c>) by alignment + uniformity
/// computed on the session vector <em>before</em> fusion, then fused by the view's soft-attention gate;
/// the hybrid projection and scoring follow. Differences from the code, on purpose:
/// each view has its own projection (the code shares one <c>linear_text2seq</c> between both views);
/// the attention keeps SR-GNN's form (the code adds an unmasked softmax over padded positions), so that
/// the comparison with <see cref="SrGnn"/> isolates the views.</summary>
public sealed class Llm4SbrSrGnn : SessionModel
{
    private readonly SrGnnEncoder encoder;
    private readonly Linear linear_transform;
    private readonly ViewAdapters views;
    private readonly ImmutableArray<ViewBinding> bindings;
    private readonly bool alignAndUniform;
    private readonly double weight;

    public Llm4SbrSrGnn(int itemSlots, ModelOptions options, ImmutableArray<ViewBinding> bindings, IReadOnlyDictionary<string, int> viewDims, bool alignAndUniform, ulong seed)
        : base(nameof(Llm4SbrSrGnn))
    {
        if (bindings.IsDefaultOrEmpty) throw new ArgumentException("LLM4SBR needs at least one view", nameof(bindings));
        encoder = new SrGnnEncoder(itemSlots, options.HiddenSize, options.GnnSteps);
        linear_transform = nn.Linear(2 * options.HiddenSize, options.HiddenSize, hasBias: true);
        views = new ViewAdapters(bindings.Select(b => (b.View, new ViewAdapter(viewDims[b.View], options.HiddenSize))));
        this.bindings = bindings;
        this.alignAndUniform = alignAndUniform;
        weight = options.AlignUniformWeight;
        RegisterComponents();
        ResetParameters(options.HiddenSize, seed, $"{nameof(encoder)}.{SrGnnEncoder.ItemTableKey}");
    }

    public override ImmutableArray<string> RequiredViews => [.. bindings.Select(b => b.View)];

    public override ModelOutput forward(BatchTensors batch)
    {
        var (global, local) = encoder.forward(batch);
        // Each view's (session vector before fusion, projected view) pair, for alignment + uniformity.
        var pairs = new List<(Tensor Session, Tensor View)>(bindings.Length);
        foreach (var binding in bindings.Where(b => b.Slot != SessionSlot.Hybrid))
        {
            var bound = binding.Slot == SessionSlot.Global ? global : local;
            var (fused, projected) = views.Of(binding.View).forward(bound, batch.Views[binding.View]);
            pairs.Add((bound, projected));
            if (binding.Slot == SessionSlot.Global) global = fused; else local = fused;
        }
        var session = linear_transform.forward(cat([global, local], 1));
        foreach (var binding in bindings.Where(b => b.Slot == SessionSlot.Hybrid))
        {
            var (fused, projected) = views.Of(binding.View).forward(session, batch.Views[binding.View]);
            pairs.Add((session, projected));
            session = fused;
        }
        var auxiliary = alignAndUniform && training
            ? AlignmentUniformity.Loss(pairs)
            : zeros([], session.dtype, session.device);
        return new ModelOutput(encoder.Score(session), auxiliary * weight);
    }
}

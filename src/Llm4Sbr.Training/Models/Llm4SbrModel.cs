using System.Collections.Immutable;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>LLM4SBR around any <see cref="SessionBackbone"/> (the paper's plug-in, Eq. 6-9, as the
/// reference code computes it for SR-GNN). Per view bound to the long or short slot: the view's text
/// embedding is projected into the hidden space, the bound session vector is gated by it
/// (<see cref="ViewAdapter"/>: v x w^T sigmoid(v + view)), and the alignment + uniformity loss is taken
/// between the bound vector <em>before</em> fusion and the projected view. The backbone then combines the
/// gated vectors; a view bound to <see cref="ViewSlot.Combined"/> (the <c>normal</c> ablation) gates the
/// combined vector instead. loss = CE + lambda x sum over views of (alignment + uniformity).
/// <para>The ablations are properties of the wrapper, not code: which views (bindings) and whether the
/// alignment and uniformity loss is on. The wrapper's adapters are drawn U(+-1/sqrt(H)) from the same
/// seeded generator right after the backbone's own initialisation, as the reference draws every
/// parameter (so LLM4SBR(SR-GNN) keeps the weights it had when it was a class of its own).</para></summary>
public sealed class Llm4SbrModel : SessionModel
{
    /// <summary>The version of the wrapper's code as far as results go: bump it with any change that
    /// changes what an LLM4SBR fit computes (<see cref="ModelRegistry.CodeVersionOf"/>).</summary>
    public const int Version = 1;

    private readonly SessionBackbone backbone;
    private readonly ViewAdapters views;
    private readonly ImmutableArray<ViewBinding> bindings;
    private readonly bool alignAndUniform;
    private readonly double weight;

    public Llm4SbrModel(SessionBackbone backbone, ImmutableArray<ViewBinding> bindings, IReadOnlyDictionary<string, int> viewDims,
        bool alignAndUniform, double alignUniformWeight, ulong seed)
        : base(nameof(Llm4SbrModel))
    {
        if (bindings.IsDefaultOrEmpty) throw new ArgumentException("LLM4SBR needs at least one view", nameof(bindings));
        this.backbone = backbone;
        views = new ViewAdapters(bindings.Select(b => (b.View, new ViewAdapter(viewDims[b.View], backbone.Hidden))));
        this.bindings = bindings;
        this.alignAndUniform = alignAndUniform;
        weight = alignUniformWeight;
        RegisterComponents();
        using var generator = new Generator(seed);
        backbone.ResetParameters(generator);
        Initialisation.UniformReference(views, backbone.Hidden, generator, itemTableKey: null);
    }

    public override BatchInput Input => backbone.Input.WithViews([.. bindings.Select(b => b.View)]);

    public override IReadOnlyList<Generator> TrainingGenerators => backbone.TrainingGenerators;

    public override IReadOnlyList<string> InitialisationWarnings => backbone.InitialisationWarnings;

    public override ModelOutput forward(BatchTensors batch)
    {
        var encoding = backbone.Encode(batch);
        var (longVector, shortVector) = (encoding.Long, encoding.Short);
        // Each view's (session vector before fusion, projected view) pair, for alignment + uniformity.
        var pairs = new List<(Tensor Session, Tensor View)>(bindings.Length);
        foreach (var binding in bindings.Where(b => b.Slot != ViewSlot.Combined))
        {
            var bound = binding.Slot == ViewSlot.Long ? longVector : shortVector;
            var (fused, projected) = views.Of(binding.View).forward(bound, batch.Views[binding.View]);
            pairs.Add((bound, projected));
            if (binding.Slot == ViewSlot.Long) longVector = fused; else shortVector = fused;
        }
        var session = backbone.Combine(longVector, shortVector);
        foreach (var binding in bindings.Where(b => b.Slot == ViewSlot.Combined))
        {
            var (fused, projected) = views.Of(binding.View).forward(session, batch.Views[binding.View]);
            pairs.Add((session, projected));
            session = fused;
        }
        var auxiliary = alignAndUniform && training
            ? AlignmentUniformity.Loss(pairs).Times(weight)
            : zeros([], session.dtype, session.device);
        if (training && backbone.AuxiliaryLoss(encoding, batch) is { } own) auxiliary = auxiliary.Plus(own);
        return new ModelOutput(backbone.Score(encoding, session), auxiliary);
    }
}

using System.Collections.Immutable;
using Llm4Sbr.Training.Batching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>SR-GNN (Wu et al., AAAI 2019) as its reference code: s_h = W [s_g; s_l], scores = s_h E^T.</summary>
public sealed class SrGnn : SessionModel
{
    private readonly SrGnnEncoder encoder;
    private readonly Linear linear_transform;

    public SrGnn(int itemSlots, ModelOptions options, ulong seed) : base(nameof(SrGnn))
    {
        encoder = new SrGnnEncoder(itemSlots, options.HiddenSize, options.GnnSteps);
        linear_transform = nn.Linear(2 * options.HiddenSize, options.HiddenSize, hasBias: true);
        RegisterComponents();
        ResetParameters(options.HiddenSize, seed, $"{nameof(encoder)}.{SrGnnEncoder.ItemTableKey}");
    }

    public override ImmutableArray<string> RequiredViews => [];

    public override ModelOutput forward(BatchTensors batch)
    {
        var (global, local) = encoder.forward(batch);
        var session = linear_transform.forward(cat([global, local], 1));
        return new ModelOutput(encoder.Score(session), zeros([], session.dtype, session.device));
    }
}

using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>A backbone on its own, the paper's "w/o LLM" row: scores = Score(Combine(long, short)).</summary>
public sealed class BackboneModel : SessionModel
{
    private readonly SessionBackbone backbone;

    public BackboneModel(SessionBackbone backbone, ulong seed) : base(nameof(BackboneModel))
    {
        this.backbone = backbone;
        RegisterComponents();
        using var generator = new Generator(seed);
        backbone.ResetParameters(generator);
    }

    public override BatchInput Input => backbone.Input;

    public override IReadOnlyList<Generator> TrainingGenerators => backbone.TrainingGenerators;

    public override IReadOnlyList<string> InitialisationWarnings => backbone.InitialisationWarnings;

    public override ModelOutput forward(BatchTensors batch)
    {
        var encoding = backbone.Encode(batch);
        var session = backbone.Combine(encoding.Long, encoding.Short);
        var auxiliary = training ? backbone.AuxiliaryLoss(encoding, batch) : null;
        return new ModelOutput(backbone.Score(encoding, session), auxiliary ?? zeros([], session.dtype, session.device));
    }
}

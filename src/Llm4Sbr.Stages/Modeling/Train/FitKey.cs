using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Llm4Sbr.Training.Fitting;

namespace Llm4Sbr.Stages.Modeling.Train;

/// <summary>Everything one neural fit's result depends on, serialised canonically as its part's memo
/// key (<see cref="Engine.Stages.StagePart"/>): the model, its parameters as given and resolved, the
/// trainer's settings and seed, the device that trains, and fingerprints of exactly the data the model
/// reads (<see cref="FitFingerprints"/>). Speed-only settings (threads, progress) are left out.</summary>
public sealed record FitKey(
    string Model,
    ImmutableSortedDictionary<string, string> Parameters,
    string Architecture,
    int Epochs,
    int BatchSize,
    double LearningRate,
    double WeightDecay,
    int LearningRateStepEpochs,
    double LearningRateGamma,
    int Patience,
    string SelectOn,
    ulong Seed,
    int EvaluationBatchSize,
    bool EvaluateTestEachEpoch,
    bool FusedCpuAdam,
    string Device,
    string Samples,
    ImmutableSortedDictionary<string, string> Views,
    ImmutableSortedDictionary<string, string> Graphs,
    string? ItemTexts,
    // Left out of the key at 0 (the reference's rule), so fits made before the setting existed keep their keys.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] double MinGain = 0)
{
    /// <summary>The trainer's and the evaluator's versions, and TorchSharp's (its kernels are part of the result).</summary>
    public static readonly string Version =
        $"1+trainer{Trainer.Version}+eval{Core.Evaluation.Evaluator.Version}+torchsharp{typeof(TorchSharp.torch).Assembly.GetName().Version}";

    /// <summary>A fit's version: <see cref="Version"/> and the model's code version (<see cref="ModelCatalog.CodeVersionOf"/>),
    /// so that a bumped backbone refits its models only.</summary>
    public static string VersionOf(ModelChoice model) => Version + ModelCatalog.CodeVersionOf(model);

    public static FitKey Of(ModelChoice model, Training.Models.ModelParameters architecture, TrainerOptions options, string device,
        string samples, ImmutableSortedDictionary<string, string> views, ImmutableSortedDictionary<string, string> graphs, string? itemTexts) =>
        new(model.Name, model.Parameters, architecture.KeyText, options.Epochs, options.BatchSize, options.LearningRate, options.WeightDecay,
            options.LearningRateStepEpochs, options.LearningRateGamma, options.Patience, options.Selection.ToString(), options.Seed,
            options.EvaluationBatchSize, options.EvaluateTestEachEpoch, options.FusedCpuAdam, device, samples, views, graphs, itemTexts, options.MinGain);
}

using System.Collections.Immutable;
using Llm4Sbr.Training.Fitting;

namespace Llm4Sbr.Stages.Modeling.Train;

/// <summary>How a model is fitted: trained with Torch (SR-GNN and LLM4SBR, LLM2X), fitted from the
/// training sessions without Torch (the classic baselines), scored from the views alone
/// (<c>llm-infer</c>), or scored from the item-title embeddings alone (<c>llmseqsim</c>).</summary>
public enum ModelFamily { Neural, Baseline, LlmInfer, TextSimilarity }

/// <summary>One entry of <c>models</c> with its <c>model_params</c> (only the keys given, as text,
/// so a default never changes a key).</summary>
public sealed record ModelChoice(string Name, ModelFamily Family, ImmutableSortedDictionary<string, string> Parameters);

/// <summary>The <c>training</c> section. Defaults are the paper's (Adam lr 1e-3, L2 1e-5, lr x0.1
/// every 3 epochs, batch 100, up to 30 epochs, hidden 100, lambda 0.1) with early stopping after 3
/// epochs without a validation gain, and one seed (42).</summary>
public sealed record TrainingSettings
{
    public int Epochs { get; init; } = 30;
    public int BatchSize { get; init; } = 100;
    public double LearningRate { get; init; } = 1e-3;
    public double L2 { get; init; } = 1e-5;
    public int LearningRateStep { get; init; } = 3;
    public double LearningRateGamma { get; init; } = 0.1;
    public int Patience { get; init; } = 3;
    /// <summary>The least rise of the validation metric that counts as a gain (0: any rise, the reference's
    /// rule). Left out of the stage's key at 0.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public double MinGain { get; init; }
    public int Hidden { get; init; } = 100;
    public double Lambda { get; init; } = 0.1;
    public int GnnSteps { get; init; } = 1;
    public ImmutableArray<long> Seeds { get; init; } = [DefaultSeed];
    public DeviceChoice Device { get; init; } = DeviceChoice.Auto;
    /// <summary>The validation metric that selects the epoch: <c>mrr@20</c>, <c>p@10</c>, ...</summary>
    public string SelectOn { get; init; } = "mrr@20";
    public double ValidationFraction { get; init; } = 0.1;
    public long ValidationSeed { get; init; } = DefaultSeed;
    /// <summary>Evaluate the test set after every epoch too, for the labelled "paper practice"
    /// columns (best test epoch); the result is always the validation-selected epoch's.</summary>
    public bool TestEachEpoch { get; init; } = true;
    public int EvaluationBatchSize { get; init; } = 500;

    public const long DefaultSeed = 42;

    public static TrainingSettings Default { get; } = new();

    /// <summary><c>seeds: N</c> means N consecutive seeds from 42.</summary>
    public static ImmutableArray<long> SeedRange(int count) => [.. Enumerable.Range(0, count).Select(i => DefaultSeed + i)];
}

/// <summary>The <c>train</c> stage's configuration (all of it is part of the stage's key).
/// <see cref="ViewsStage"/> is the stage the view embeddings come from, or null when no
/// configured model reads views.</summary>
public sealed record TrainConfig(ImmutableArray<ModelChoice> Models, TrainingSettings Training, string? ViewsStage);

/// <summary>Command-line overrides of the pipeline file (<c>--models</c>, <c>--seeds</c>,
/// <c>--device</c>, <c>--epochs</c>); unset members leave the file's values.</summary>
public sealed record ModelingOverrides
{
    public ImmutableArray<string> Models { get; init; }
    public ImmutableArray<long> Seeds { get; init; }
    public DeviceChoice? Device { get; init; }
    public int? Epochs { get; init; }

    public static ModelingOverrides None { get; } = new();

    /// <summary><c>--seeds N</c>: N consecutive seeds from 42.</summary>
    public static ImmutableArray<long> SeedCount(int count) => TrainingSettings.SeedRange(count);
}

using System.Collections.Immutable;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Training.Fitting;

namespace Llm4Sbr.Stages.Modeling.Train;

/// <summary>One fitted model: a neural model once per seed; a baseline or <c>llm-infer</c> once
/// (they are deterministic; <see cref="Seed"/> is then <see cref="Unseeded"/>).
/// <see cref="Test"/> is THE result: the test metrics of the epoch <see cref="SelectedEpoch"/>
/// chosen on validation (<see cref="SelectionMetric"/>). <see cref="PaperBestTest"/> is the
/// reference code's "best result" (each test metric's maximum over epochs; peeks at the test set),
/// null unless the test set was evaluated every epoch. No wall times: the stage records those as its
/// measurements (<see cref="TrainMeasurements"/>), beside its output, not in it. <see cref="Checkpoint"/> is
/// the file stem of the weights in the stage folder (<c>STEM.bin</c>, <c>STEM.json</c>) or empty;
/// <see cref="Fingerprint"/> identifies what was fitted (a baseline's options and training data).</summary>
public sealed record ModelRun(
    string Model,
    ModelFamily Family,
    long Seed,
    ImmutableSortedDictionary<string, string> Parameters,
    string Fingerprint,
    int SelectedEpoch,
    int EpochsRun,
    string SelectionMetric,
    bool StoppedEarly,
    RankingMetrics Test,
    RankingMetrics? Validation,
    RankingMetrics? PaperBestTest,
    string Checkpoint)
{
    public const long Unseeded = -1;
}

/// <summary>One epoch of one neural run.</summary>
public sealed record EpochRow(string Model, long Seed, EpochRecord Epoch);

/// <summary>The rank of one test sample's target under one run (1 = first; every item ranked).</summary>
public readonly record struct RankRow(string Model, long Seed, long SampleId, int Rank);

/// <summary>A catalogue item as the models score it: dense index, source id, title.</summary>
public sealed record CatalogueItem(int Index, int ItemId, string Title);

/// <summary>What the stage saw: sample counts per part, the validation carve, the views and what
/// produced them (empty when no model read views) and the device that trained.</summary>
public sealed record TrainingFacts(
    int FitSamples, int ValidationSamples, int TestSamples, int Items,
    double ValidationFraction, string Device, string ViewsEngine, ImmutableArray<string> Views);

/// <summary>The <c>train</c> stage's output. <see cref="BaselineSessions"/> are the training
/// sessions the baselines were fitted on (the split's train part; empty when no baseline ran):
/// <c>recommend</c> refits a baseline from them deterministically and checks its fingerprint.
/// <see cref="Files"/> are the checkpoints.</summary>
public sealed record TrainedModels(
    TrainingFacts Facts,
    ImmutableArray<ModelRun> Runs,
    ImmutableArray<EpochRow> History,
    ImmutableArray<RankRow> Ranks,
    ImmutableArray<CatalogueItem> Items,
    ImmutableArray<Session> BaselineSessions,
    ImmutableArray<StoredFile> Files)
{
    public ImmutableArray<string> Models => [.. Runs.Select(r => r.Model).Distinct()];
}

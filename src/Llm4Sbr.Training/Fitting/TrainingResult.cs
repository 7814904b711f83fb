using System.Collections.Immutable;
using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Training.Fitting;

/// <summary>One epoch: mean losses over its batches (<see cref="MeanLoss"/> includes the weighted
/// auxiliary loss, <see cref="MeanAuxiliaryLoss"/> is that part alone), the learning rate it trained
/// with, validation and (optionally) test metrics after it. Results only: what the run measured is
/// in <see cref="EpochTiming"/>.</summary>
public sealed record EpochRecord(
    int Epoch,
    double MeanLoss,
    double MeanAuxiliaryLoss,
    double LearningRate,
    RankingMetrics? Validation,
    RankingMetrics? Test);

/// <summary>What one epoch measured on the machine that ran it: wall seconds of its training steps and
/// of its evaluation, and the live tensor count at its end (constant across epochs when nothing
/// leaks). Kept apart from <see cref="EpochRecord"/> so that stored results carry no timings.</summary>
public sealed record EpochTiming(int Epoch, double TrainSeconds, double EvaluationSeconds, long LiveTensors);

/// <summary>The outcome of training one model. <see cref="Test"/> — the test metrics of the epoch chosen
/// on validation (<see cref="SelectedEpoch"/>) — is THE result. <see cref="PaperPracticeBestTest"/>
/// is what the reference code prints as "Best Result": the maximum of each test metric over all
/// epochs, each possibly from a different epoch; it peeks at the test set and may only be shown
/// labelled as such.</summary>
public sealed record TrainingResult(
    string Model,
    ulong Seed,
    int SelectedEpoch,
    string SelectionMetric,
    RankingMetrics? Validation,
    RankingMetrics Test,
    ImmutableArray<int> TestRanks,
    RankingMetrics? PaperPracticeBestTest,
    ImmutableArray<EpochRecord> Epochs,
    bool StoppedEarly,
    ImmutableArray<EpochTiming> Timings);

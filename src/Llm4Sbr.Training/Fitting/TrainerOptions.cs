using System.Collections.Immutable;
using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Training.Fitting;

public enum SelectionMeasure { Mrr, Precision, Ndcg }

/// <summary>The validation metric that selects the epoch (and drives early stopping), e.g. MRR@20.</summary>
public sealed record SelectionMetric(SelectionMeasure Measure = SelectionMeasure.Mrr, int K = 20)
{
    public static readonly SelectionMetric MrrAt20 = new();
    public double Of(RankingMetrics metrics)
    {
        var m = metrics[K];
        return Measure switch
        {
            SelectionMeasure.Mrr => m.Mrr,
            SelectionMeasure.Precision => m.Precision,
            _ => m.Ndcg,
        };
    }
    public override string ToString() => $"{(Measure == SelectionMeasure.Precision ? "P" : Measure.ToString().ToUpperInvariant())}@{K}";
}

/// <summary>Training hyperparameters; the defaults are the reference's (Adam lr 1e-3, L2 1e-5 as Adam
/// weight decay, lr x0.1 every 3 epochs, batch 100, up to 30 epochs). The learning rate decays after
/// epochs 3, 6, ... (the LLM4SBR code steps the scheduler after each epoch; the original SR-GNN code
/// steps it before, which decays one epoch earlier). <see cref="Patience"/> is the number of epochs
/// without a validation improvement before stopping (5 as the LLM4SBR code).</summary>
public sealed record TrainerOptions
{
    public int Epochs { get; init; } = 30;
    public int BatchSize { get; init; } = 100;
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 1e-5;
    public int LearningRateStepEpochs { get; init; } = 3;
    public double LearningRateGamma { get; init; } = 0.1;
    public int Patience { get; init; } = 5;
    /// <summary>The least rise of the validation score that counts as a gain (<see cref="EpochSelection"/>);
    /// 0, the reference's rule, counts any rise, however small.</summary>
    public double MinGain { get; init; }
    public SelectionMetric Selection { get; init; } = SelectionMetric.MrrAt20;
    /// <summary>Seeds the initial weights (through a private torch generator) and the per-epoch shuffles.</summary>
    public ulong Seed { get; init; } = 1;
    public DeviceChoice Device { get; init; } = DeviceChoice.Auto;
    /// <summary>Intra-op CPU threads; null = all processors.</summary>
    public int? Threads { get; init; }
    public int EvaluationBatchSize { get; init; } = 500;
    /// <summary>Also evaluate the test set after every epoch (for the labelled "best test epoch" figure
    /// of the paper's practice); the reported result is always the validation-selected epoch's.</summary>
    public bool EvaluateTestEachEpoch { get; init; } = true;
    public ImmutableArray<int> Cutoffs { get; init; } = RankingMetrics.DefaultCutoffs;
    /// <summary>Report progress every this many batches (and at each epoch's end).</summary>
    public int ProgressEveryBatches { get; init; } = 50;
    /// <summary>On the CPU, update with the fused single-pass Adam (same arithmetic as torch's); off, or
    /// on CUDA, torch.optim.Adam.</summary>
    public bool FusedCpuAdam { get; init; } = true;

    /// <summary>The learning rate of 1-based <paramref name="epoch"/>: lr x gamma^floor((epoch - 1) / step).</summary>
    public double LearningRateAt(int epoch) =>
        LearningRate * Math.Pow(LearningRateGamma, (epoch - 1) / Math.Max(1, LearningRateStepEpochs));

    public static readonly TrainerOptions Default = new();
}

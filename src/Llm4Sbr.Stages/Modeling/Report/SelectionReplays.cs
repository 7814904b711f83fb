using System.Collections.Immutable;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Stages.Modeling.Evaluate;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Training.Fitting;

namespace Llm4Sbr.Stages.Modeling.Report;

/// <summary>A neural model's test figures had its epochs been chosen on <see cref="Criterion"/>:
/// over the <see cref="Covered"/> of its <see cref="Runs"/> runs whose recorded epochs reach as far as
/// that criterion would have trained; <see cref="Mean"/> and <see cref="StandardDeviation"/> are null
/// unless every run is covered.</summary>
public sealed record ReplayedRow(
    string Model, SelectionMetric Criterion, int Runs, int Covered, double EpochMean,
    RankingMetrics? Mean, RankingMetrics? StandardDeviation);

/// <summary>What each neural model would report had its epoch been chosen on another validation metric,
/// replayed from its runs' epoch histories with the trainer's own rule (<see cref="EpochSelection.Replay"/>).
/// No model is retrained: choosing an epoch changes nothing about training. It needs the test set
/// evaluated every epoch (<c>training.test_each_epoch</c>, on by default); a model whose history lacks
/// a validation or test evaluation of some epoch has no rows. Pure.</summary>
public static class SelectionReplays
{
    /// <summary>The criteria the report compares: <paramref name="configured"/> (the runs' own) first,
    /// then P@20, MRR@20 and NDCG@20.</summary>
    public static ImmutableArray<SelectionMetric> Criteria(SelectionMetric configured) =>
        [.. new[] { configured, new SelectionMetric(SelectionMeasure.Precision, 20), SelectionMetric.MrrAt20, new SelectionMetric(SelectionMeasure.Ndcg, 20) }.Distinct()];

    /// <summary>One row per neural model of <paramref name="runs"/> (in their order) and criterion, for the
    /// models whose every run has a complete history; cut-offs as the test metrics have them.</summary>
    public static ImmutableArray<ReplayedRow> Of(ImmutableArray<ModelRun> runs, ImmutableArray<EpochRow> history, int patience,
        ImmutableArray<SelectionMetric> criteria, double minGain = 0)
    {
        var epochsOf = history.GroupBy(h => (h.Model, h.Seed)).ToDictionary(g => g.Key, g => g.Select(h => h.Epoch).OrderBy(e => e.Epoch).ToList());
        var rows = ImmutableArray.CreateBuilder<ReplayedRow>();
        foreach (var model in runs.Where(r => r.Family == ModelFamily.Neural).GroupBy(r => r.Model))
        {
            var histories = model.Select(run => (Run: run, Epochs: Complete(epochsOf.GetValueOrDefault((run.Model, run.Seed))))).ToList();
            if (histories.Any(h => h.Epochs is null)) continue;
            foreach (var criterion in criteria)
            {
                var chosen = histories
                    .Select(h => (h.Epochs, Replay: EpochSelection.Replay([.. h.Epochs!.Select(e => criterion.Of(e.Validation!))], patience, h.Run.StoppedEarly, minGain)))
                    .Where(c => c.Replay is not null)
                    .Select(c => (c.Replay!.Epoch, Test: c.Epochs![c.Replay.Epoch - 1].Test!))
                    .ToList();
                bool all = chosen.Count == histories.Count;
                var tests = chosen.Select(c => c.Test).ToList();
                var cutoffs = tests.Count > 0 ? tests[0].AtK.Select(m => m.K).ToImmutableArray() : [];
                rows.Add(new ReplayedRow(model.Key, criterion, histories.Count, chosen.Count,
                    chosen.Count > 0 ? chosen.Average(c => c.Epoch) : double.NaN,
                    all ? EvaluateStage.Combine(tests, cutoffs, EvaluateStage.Mean) : null,
                    all ? EvaluateStage.Combine(tests, cutoffs, EvaluateStage.StandardDeviation) : null));
            }
        }
        return rows.ToImmutable();
    }

    /// <summary>The epochs 1..n in order when each has validation and test metrics; otherwise null.</summary>
    static List<EpochRecord>? Complete(List<EpochRecord>? epochs) =>
        epochs is { Count: > 0 } && epochs.Select((e, i) => e.Epoch == i + 1 && e.Validation is not null && e.Test is not null).All(ok => ok)
            ? epochs
            : null;
}

using CsCheck;
using Llm4Sbr.Training.Fitting;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Tests.Support;
using Xunit;

namespace Llm4Sbr.Training.Tests.Training;

public class EpochSelectionTests
{
    /// <summary>The rule written out directly: after each epoch e, the best epoch is the first one with the
    /// highest score among 1..e; the run stops at the first e that is <c>patience</c> or more past it.</summary>
    static (int Epoch, int Stop)? Reference(double[] scores, int patience, bool stoppedEarly)
    {
        for (int e = 1; e <= scores.Length; e++)
        {
            int best = FirstMax(scores, e);
            if (e - best >= patience) return (best, e);
        }
        return stoppedEarly || scores.Length == 0 ? null : (FirstMax(scores, scores.Length), scores.Length);
    }

    static int FirstMax(double[] scores, int upTo)
    {
        int best = 1;
        for (int e = 2; e <= upTo; e++)
            if (scores[e - 1] > scores[best - 1]) best = e;
        return best;
    }

    [Fact]
    public void Replay_is_the_rule_written_out_for_any_scores_with_ties()
    {
        // Scores from a handful of values, so that ties (which keep the earlier epoch) are common.
        var cases = from scores in Gen.Int[0, 4].Select(v => v / 4.0).Array[0, 12]
                    from patience in Gen.Int[1, 5]
                    from stoppedEarly in Gen.Bool
                    select (scores, patience, stoppedEarly);
        cases.Sample(c =>
        {
            var replay = EpochSelection.Replay(c.scores, c.patience, c.stoppedEarly);
            var expected = Reference(c.scores, c.patience, c.stoppedEarly);
            Assert.Equal(expected, replay is null ? null : (replay.Epoch, replay.EpochsRun));
        });
    }

    [Fact]
    public void A_run_that_stopped_early_is_replayed_only_as_far_as_its_epochs_reach()
    {
        // Patience 2. Under its own metric the run stopped after epoch 3 (best: 1).
        double[] own = [0.5, 0.4, 0.4];
        Assert.Equal(new ReplayedSelection(1, 3), EpochSelection.Replay(own, 2, runStoppedEarly: true));
        // Another metric still gaining at epoch 3 would have trained on: not covered.
        Assert.Null(EpochSelection.Replay([0.1, 0.2, 0.3], 2, runStoppedEarly: true));
        // The same scores from a run that used all its epochs end with it.
        Assert.Equal(new ReplayedSelection(3, 3), EpochSelection.Replay([0.1, 0.2, 0.3], 2, runStoppedEarly: false));
        // A metric that peaked at epoch 1 stops within the recorded epochs: covered.
        Assert.Equal(new ReplayedSelection(1, 3), EpochSelection.Replay([0.3, 0.2, 0.1], 2, runStoppedEarly: true));
    }

    [Fact]
    public void A_least_gain_ignores_smaller_rises()
    {
        // Patience 2, least gain 0.01: 0.505 and 0.509 do not count against 0.5; 0.52 does.
        Assert.Equal(new ReplayedSelection(1, 3), EpochSelection.Replay([0.5, 0.505, 0.509, 0.52], 2, runStoppedEarly: false, minGain: 0.01));
        Assert.Equal(new ReplayedSelection(4, 4), EpochSelection.Replay([0.5, 0.505, 0.52, 0.531], 2, runStoppedEarly: false, minGain: 0.01));
        // Without it every rise counts.
        Assert.Equal(new ReplayedSelection(4, 4), EpochSelection.Replay([0.5, 0.505, 0.509, 0.52], 2, runStoppedEarly: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => EpochSelection.Start(2, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EpochSelection.Start(2, double.NaN));
    }

    [Fact]
    public void Observe_selects_on_a_strict_gain_and_stops_after_patience_epochs_without_one()
    {
        var s = EpochSelection.Start(2).Observe(1, 0.2).Observe(2, 0.2);
        Assert.Equal((1, 1, false), (s.BestEpoch, s.EpochsWithoutGain, s.Stops));
        s = s.Observe(3, 0.3);
        Assert.Equal((3, 0, false), (s.BestEpoch, s.EpochsWithoutGain, s.Stops));
        s = s.Observe(4, 0.1).Observe(5, 0.25);
        Assert.Equal((3, 2, true), (s.BestEpoch, s.EpochsWithoutGain, s.Stops));
        Assert.Throws<ArgumentOutOfRangeException>(() => EpochSelection.Start(0));
    }

    /// <summary>The trainer applies the same rule: replaying a real run's validation history under its own
    /// metric gives its selected epoch and the epochs it ran.</summary>
    [Fact]
    public void Replaying_a_trained_run_under_its_own_metric_gives_its_choice()
    {
        var data = BeautySlice.Data(BeautySlice.Load());
        var options = new TrainerOptions { Epochs = 5, Device = DeviceChoice.Cpu, Seed = 3, Patience = 1, Selection = new SelectionMetric(SelectionMeasure.Precision, 20) };
        var outcome = Trainer.Train("gru4rec", data, new ModelOptions(), options).Match(o => o, e => throw new InvalidOperationException(e.Message));
        outcome.Model.Dispose();
        var result = outcome.Result;
        var replay = EpochSelection.Replay([.. result.Epochs.Select(e => options.Selection.Of(e.Validation!))], options.Patience, result.StoppedEarly);
        Assert.Equal(new ReplayedSelection(result.SelectedEpoch, result.Epochs.Length), replay);
    }
}

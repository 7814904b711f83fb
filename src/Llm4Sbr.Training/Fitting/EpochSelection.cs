namespace Llm4Sbr.Training.Fitting;

/// <summary>How a run picks its epoch and when it stops: an epoch whose validation score beats the best so
/// far by more than <see cref="MinGain"/> (0: by anything, the reference's rule) becomes the selected one,
/// and the run stops once <see cref="Patience"/> epochs in a row bring no such gain. Pure: the trainer applies it epoch by epoch while it trains (<see cref="Observe"/>), and the
/// report replays it over a finished run's history under another validation metric (<see cref="Replay"/>).
/// Selection never changes what is trained (the weights go on from the last epoch and the learning rate
/// follows the epoch count), so a replay over the recorded epochs is exactly the run that criterion
/// would have made, as far as those epochs reach.</summary>
public sealed record EpochSelection(int Patience, double BestScore, int BestEpoch, int EpochsWithoutGain, double MinGain = 0)
{
    /// <summary>Before the first epoch: nothing selected.</summary>
    public static EpochSelection Start(int patience, double minGain = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        if (!(minGain >= 0)) throw new ArgumentOutOfRangeException(nameof(minGain), minGain, "the least gain must be 0 or more");
        return new(patience, double.NegativeInfinity, 0, 0, minGain);
    }

    /// <summary>True once <see cref="Patience"/> epochs in a row have brought no gain: the run ends here.</summary>
    public bool Stops => EpochsWithoutGain >= Patience;

    /// <summary>The state after <paramref name="epoch"/> scored <paramref name="score"/> on validation;
    /// it is the selected epoch when its score beats the best so far by more than <see cref="MinGain"/>
    /// (ties keep the earlier epoch).</summary>
    public EpochSelection Observe(int epoch, double score) =>
        score > BestScore + MinGain
            ? this with { BestScore = score, BestEpoch = epoch, EpochsWithoutGain = 0 }
            : this with { EpochsWithoutGain = EpochsWithoutGain + 1 };

    /// <summary>The epoch this rule picks from a finished run's validation scores (<paramref name="scores"/>[i]
    /// is epoch i + 1), and the epochs it would have run; null when the recorded epochs end before the
    /// rule would have: the run stopped early under its own criterion (<paramref name="runStoppedEarly"/>)
    /// while these scores had not yet exhausted the patience, so the epochs this rule would still have
    /// trained were never run. A run that used all its epochs is covered to its end.</summary>
    public static ReplayedSelection? Replay(IReadOnlyList<double> scores, int patience, bool runStoppedEarly, double minGain = 0)
    {
        var state = Start(patience, minGain);
        for (int i = 0; i < scores.Count; i++)
        {
            state = state.Observe(i + 1, scores[i]);
            if (state.Stops) return new ReplayedSelection(state.BestEpoch, i + 1);
        }
        return runStoppedEarly || scores.Count == 0 ? null : new ReplayedSelection(state.BestEpoch, scores.Count);
    }
}

/// <summary>What <see cref="EpochSelection.Replay"/> found: the selected epoch and the epochs the run would have trained.</summary>
public sealed record ReplayedSelection(int Epoch, int EpochsRun);

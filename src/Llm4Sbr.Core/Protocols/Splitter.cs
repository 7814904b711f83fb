using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Protocols;

/// <summary>The <c>split</c> stage: the first floor(fraction * n) sessions, in their given order,
/// train; the rest test. No shuffling: the canonical protocols split in session order.</summary>
public static class Splitter
{
    public const string Version = "1";

    public static Fin<SplitOptions> Validate(SplitOptions options) =>
        double.IsFinite(options.TrainFraction) && options.TrainFraction > 0 && options.TrainFraction < 1
            ? FinSucc(options)
            : FinFail<SplitOptions>(DataErrors.InvalidOption("train_fraction", options.TrainFraction, "a number strictly between 0 and 1"));

    /// <summary>Splits <paramref name="sessions"/>; sessions are passed through unchanged (ids kept).
    /// Throws <see cref="ArgumentException"/> on options that <see cref="Validate"/> rejects.</summary>
    public static SplitSet Run(IReadOnlyList<Session> sessions, SplitOptions options)
    {
        Validate(options).ThrowIfInvalidOption(nameof(options));
        var trainCount = TrainCount(sessions.Count, options.TrainFraction);
        var train = ImmutableArray.CreateBuilder<Session>(trainCount);
        var test = ImmutableArray.CreateBuilder<Session>(sessions.Count - trainCount);
        for (var i = 0; i < sessions.Count; i++) (i < trainCount ? train : test).Add(sessions[i]);
        return new SplitSet(train.MoveToImmutable(), test.MoveToImmutable());
    }

    /// <summary>floor(fraction * count) in double arithmetic, exactly as the paper's Python
    /// (<c>int(n * 0.9)</c>) computes it.</summary>
    public static int TrainCount(int sessionCount, double trainFraction) =>
        (int)Math.Floor(trainFraction * sessionCount);
}

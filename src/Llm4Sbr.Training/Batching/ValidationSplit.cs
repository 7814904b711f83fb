using System.Collections.Immutable;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Training.Batching;

/// <summary>How the validation set is carved from the training samples: a seeded
/// <see cref="Fraction"/> of the training <em>sessions</em> (all their samples together, so no session
/// leaks prefixes into both sides). Fraction 0 disables validation (the last epoch is then selected).</summary>
public sealed record ValidationOptions(double Fraction = 0.1, ulong Seed = 20240601)
{
    public static readonly ValidationOptions Default = new();
}

public static class ValidationSplit
{
    public const string Version = "1";

    /// <summary>Splits <paramref name="train"/> by session: round(fraction x sessions) sessions, chosen by
    /// a seeded shuffle of the distinct session ids in ascending order, go to validation. Sample order
    /// within each side is kept. Pure.</summary>
    public static (ImmutableArray<Sample> Fit, ImmutableArray<Sample> Validation) Carve(IReadOnlyList<Sample> train, ValidationOptions options)
    {
        if (options.Fraction is < 0 or >= 1 || double.IsNaN(options.Fraction))
            throw new ArgumentOutOfRangeException(nameof(options), options.Fraction, "the validation fraction must be in [0, 1)");
        var sessions = train.Select(s => s.SessionId).Distinct().Order().ToArray();
        int take = (int)Math.Round(options.Fraction * sessions.Length, MidpointRounding.AwayFromZero);
        var order = SeededShuffle.Permutation(sessions.Length, options.Seed);
        var validationSessions = order.Take(take).Select(i => sessions[i]).ToHashSet();
        var fit = ImmutableArray.CreateBuilder<Sample>(train.Count);
        var validation = ImmutableArray.CreateBuilder<Sample>();
        foreach (var s in train) (validationSessions.Contains(s.SessionId) ? validation : fit).Add(s);
        return (fit.ToImmutable(), validation.ToImmutable());
    }
}

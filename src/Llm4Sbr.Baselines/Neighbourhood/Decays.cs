namespace Llm4Sbr.Baselines;

/// <summary>V-SKNN's weight of a current-session item by the position of its (last) click
/// (session-rec <c>weighting</c>): the last click weighs most.</summary>
public enum PositionDecay
{
    /// <summary><c>max(0, 1 - 0.1 (L - p))</c>: the last ten clicks weigh 1, 0.9, ..., 0.1 and
    /// earlier ones 0 (the V-SKNN paper's linear decay).</summary>
    Linear,
    /// <summary>1 for every click (plain set overlap).</summary>
    Same,
    /// <summary><c>p / L</c> (session-rec's default).</summary>
    Div,
    /// <summary><c>1 / log10(L - p + 1.7)</c>.</summary>
    Log,
    /// <summary><c>(p / L)^2</c>.</summary>
    Quadratic,
}

/// <summary>V-SKNN's discount of a neighbour by how far back in the current session the latest item
/// it shares is (session-rec <c>weighting_score</c>), as a function of that distance i
/// (1 = the last click).</summary>
public enum MatchDecay
{
    /// <summary>1 (no discount).</summary>
    Same,
    /// <summary><c>1 / i</c> (session-rec's default).</summary>
    Div,
    /// <summary><c>max(0, 1 - 0.1 i)</c>.</summary>
    Linear,
    /// <summary><c>1 / log10(i + 1.7)</c>.</summary>
    Log,
    /// <summary><c>1 / i^2</c>.</summary>
    Quadratic,
}

/// <summary>The weight formulas of the neighbourhood methods, public so that tests and readers
/// can check them against the papers.</summary>
public static class Decays
{
    /// <summary>V-SKNN weight of the click at 1-based <paramref name="position"/> of
    /// <paramref name="length"/> clicks.</summary>
    public static double Position(PositionDecay decay, int position, int length) => decay switch
    {
        PositionDecay.Linear => Math.Max(0, 1 - 0.1 * (length - position)),
        PositionDecay.Same => 1,
        PositionDecay.Div => (double)position / length,
        PositionDecay.Log => 1 / Math.Log10(length - position + 1.7),
        PositionDecay.Quadratic => (double)position / length * position / length,
        _ => throw new ArgumentOutOfRangeException(nameof(decay), decay, null),
    };

    /// <summary>V-SKNN neighbour discount for a latest shared click <paramref name="stepsBack"/>
    /// clicks from the end (1 = the last click).</summary>
    public static double Match(MatchDecay decay, int stepsBack) => decay switch
    {
        MatchDecay.Same => 1,
        MatchDecay.Div => 1.0 / stepsBack,
        MatchDecay.Linear => Math.Max(0, 1 - 0.1 * stepsBack),
        MatchDecay.Log => 1 / Math.Log10(stepsBack + 1.7),
        MatchDecay.Quadratic => 1.0 / ((double)stepsBack * stepsBack),
        _ => throw new ArgumentOutOfRangeException(nameof(decay), decay, null),
    };

    /// <summary>STAN's exponential decay <c>exp(-distance / lambda)</c>, used for the position of
    /// a current-session item (distance L - p, lambda_spw), the age of a neighbour session
    /// (lambda_snh), the distance of a neighbour's item to the shared item (lambda_inh) and VSTAN's
    /// position of the latest shared item (lambda_ipw). An infinite lambda gives 1 (the factor is
    /// off).</summary>
    public static double Exponential(double distance, double lambda) => Math.Exp(-distance / lambda);

    /// <summary>Inverse document frequency of an item: <c>log(sessions / clicks)</c> (session-rec
    /// counts clicks, not sessions, in the denominator); 0 for an item never clicked.</summary>
    public static double Idf(int sessions, int clicks) => clicks > 0 ? Math.Log((double)sessions / clicks) : 0;
}

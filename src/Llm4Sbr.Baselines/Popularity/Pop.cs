using LanguageExt;
using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Baselines;

/// <summary>POP: every session gets the same ranking, items by their number of training clicks.
/// The floor any model must clear.</summary>
public sealed class Pop : IBaselineAlgorithm
{
    public const string AlgorithmName = "pop";
    public const string AlgorithmVersion = "1";

    public string Name => AlgorithmName;
    public string Version => AlgorithmVersion;
    public string Fingerprint => $"{Name} v{Version}";

    /// <summary>POP has no options; any parameter is rejected (naming that there are none).</summary>
    public static Fin<Pop> FromParameters(IReadOnlyDictionary<string, string>? parameters) =>
        new ParameterReader(AlgorithmName, parameters).Finish(() => new Pop());

    public ISessionScorer Fit(TrainingSessions training, CancellationToken cancellationToken = default) =>
        new Scorer(ItemPopularity.Clicks(training));

    private sealed class Scorer(float[] clicks) : ISessionScorer
    {
        public int Size => clicks.Length;

        public void Score(ReadOnlySpan<int> prefix, Span<float> scores)
        {
            clicks.CopyTo(scores);
            scores[0] = float.NegativeInfinity;
        }
    }
}

/// <summary>Click counts per item over the training sessions.</summary>
internal static class ItemPopularity
{
    public static float[] Clicks(TrainingSessions training)
    {
        var clicks = new float[training.Size];
        foreach (var session in training.Sessions)
            foreach (int item in session) clicks[item]++;
        return clicks;
    }
}

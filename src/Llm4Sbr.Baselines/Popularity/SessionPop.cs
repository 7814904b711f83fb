using LanguageExt;
using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Baselines;

/// <summary>S-POP: the items of the current session first, ordered by how often they were clicked
/// in it; ties among them, and all other items, by global training popularity (as POP).</summary>
public sealed class SessionPop : IBaselineAlgorithm
{
    public const string AlgorithmName = "spop";
    public const string AlgorithmVersion = "1";

    public string Name => AlgorithmName;
    public string Version => AlgorithmVersion;
    public string Fingerprint => $"{Name} v{Version}";

    public static Fin<SessionPop> FromParameters(IReadOnlyDictionary<string, string>? parameters) =>
        new ParameterReader(AlgorithmName, parameters).Finish(() => new SessionPop());

    public ISessionScorer Fit(TrainingSessions training, CancellationToken cancellationToken = default)
    {
        var clicks = ItemPopularity.Clicks(training);
        // Global popularity squeezed into [0, 1) so that one click in the session outweighs it:
        // score = clicks in session + popularity / (max popularity + 1).
        float scale = 1f / (clicks.Max() + 1f);
        var tieBreak = clicks.Select(c => c * scale).ToArray();
        return new Scorer(tieBreak);
    }

    private sealed class Scorer(float[] popularity) : ISessionScorer
    {
        public int Size => popularity.Length;

        public void Score(ReadOnlySpan<int> prefix, Span<float> scores)
        {
            popularity.CopyTo(scores);
            foreach (int item in prefix) scores[item] += 1f;
            scores[0] = float.NegativeInfinity;
        }
    }
}

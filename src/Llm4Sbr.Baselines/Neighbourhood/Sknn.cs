using LanguageExt;
using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Baselines;

/// <summary>How SKNN compares the item sets of two sessions.</summary>
public enum SessionSimilarity
{
    /// <summary><c>|a ∩ b| / sqrt(|a| |b|)</c>.</summary>
    Cosine,
    /// <summary><c>|a ∩ b| / |a ∪ b|</c> (session-rec's ContextKNN default).</summary>
    Jaccard,
}

/// <summary>Options of <see cref="Sknn"/>.</summary>
/// <param name="K">Neighbour sessions that vote (default 100).</param>
/// <param name="SampleSize">Candidate sessions kept before the similarity ranking (default 500;
/// 0 = every session sharing an item).</param>
/// <param name="Sampling">Which candidates to keep when there are more (default the most recent).</param>
/// <param name="Seed">Seed of <see cref="CandidateSampling.Random"/> (default 42).</param>
/// <param name="Similarity">Default cosine (Ludewig and Jannach's SKNN).</param>
/// <param name="Remind">Whether items already in the current session may be recommended (default
/// true: session-rec's SKNN scores them like any other item).</param>
public sealed record SknnOptions(
    int K = 100,
    int SampleSize = 500,
    CandidateSampling Sampling = CandidateSampling.Recent,
    long Seed = 42,
    SessionSimilarity Similarity = SessionSimilarity.Cosine,
    bool Remind = true)
{
    public static SknnOptions Default { get; } = new();

    public Fin<SknnOptions> Validate() => Checks.Validate(Sknn.AlgorithmName, this,
        Checks.AtLeast("k", K, 1), Checks.AtLeast("sample_size", SampleSize, 0));

    /// <summary>Keys: <c>k</c>, <c>sample_size</c>, <c>sampling</c> (recent|random), <c>seed</c>,
    /// <c>similarity</c> (cosine|jaccard), <c>remind</c>.</summary>
    public static Fin<SknnOptions> FromParameters(IReadOnlyDictionary<string, string>? parameters)
    {
        var r = new ParameterReader(Sknn.AlgorithmName, parameters);
        var d = Default;
        var options = new SknnOptions(
            r.Int("k", d.K), r.Int("sample_size", d.SampleSize), r.Enum("sampling", d.Sampling), r.Long("seed", d.Seed),
            r.Enum("similarity", d.Similarity), r.Bool("remind", d.Remind));
        return r.Finish(() => options).Bind(o => o.Validate());
    }
}

/// <summary>SKNN (session-based kNN; Jannach and Ludewig 2017, session-rec <c>ContextKNN</c>):
/// the K training sessions most similar (item-set cosine) to the whole current session vote for
/// their items; an item's score is the sum of the similarities of the neighbours holding it.
/// Unlike session-rec's <c>cosine</c>, which computes <c>|a∩b| / sqrt|a| * sqrt|b|</c> because of a
/// missing bracket, this divides by both roots.</summary>
public sealed class Sknn(SknnOptions options) : IBaselineAlgorithm
{
    public const string AlgorithmName = "sknn";
    public const string AlgorithmVersion = "1";

    public SknnOptions Options { get; } = options;
    public string Name => AlgorithmName;
    public string Version => AlgorithmVersion;
    public string Fingerprint => $"{Name} v{Version} {Options}";

    public ISessionScorer Fit(TrainingSessions training, CancellationToken cancellationToken = default)
    {
        Options.Validate().ThrowIfFail();
        return new Scorer(new SessionIndex(training), Options);
    }

    private sealed class Scorer(SessionIndex index, SknnOptions options)
        : NeighbourhoodScorer(index, options.K, options.SampleSize, options.Sampling, options.Seed)
    {
        protected override double PrefixItemWeight(int position, int length) => 1;

        protected override double Similarity(NeighbourhoodScratch query, int session, double weightedOverlap)
        {
            int mine = query.DistinctCount, theirs = Index.DistinctCount(session);
            return options.Similarity == SessionSimilarity.Cosine
                ? weightedOverlap / Math.Sqrt((double)mine * theirs)
                : weightedOverlap / (mine + theirs - weightedOverlap);
        }

        protected override void AddNeighbour(NeighbourhoodScratch query, int session, double similarity, int latestSharedPosition, Span<float> scores)
        {
            float vote = (float)similarity;
            for (int j = Index.DistinctStart[session]; j < Index.DistinctStart[session + 1]; j++)
            {
                int item = Index.DistinctItems[j];
                if (options.Remind || !query.InSession(item)) scores[item] += vote;
            }
        }
    }
}

using LanguageExt;
using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Baselines;

/// <summary>Options of <see cref="Vsknn"/>.</summary>
/// <param name="K">Neighbour sessions that vote (default 100).</param>
/// <param name="SampleSize">Candidate sessions kept before the similarity ranking (default 500; 0 = all).</param>
/// <param name="Sampling">Which candidates to keep when there are more (default the most recent).</param>
/// <param name="Seed">Seed of <see cref="CandidateSampling.Random"/> (default 42).</param>
/// <param name="Weighting">Weight of the current session's items by position (default
/// <see cref="PositionDecay.Linear"/>, the V-SKNN paper's linear decay).</param>
/// <param name="MatchWeighting">Discount of a neighbour by how far back its latest shared item is
/// (default <see cref="MatchDecay.Div"/>, session-rec's default).</param>
/// <param name="IdfWeighting">Boost of rare items: a vote v becomes <c>v (1 + idf * IdfWeighting)</c>
/// (default 0 = off, as session-rec).</param>
/// <param name="Remind">Whether items already in the current session may be recommended (default
/// true, as session-rec).</param>
public sealed record VsknnOptions(
    int K = 100,
    int SampleSize = 500,
    CandidateSampling Sampling = CandidateSampling.Recent,
    long Seed = 42,
    PositionDecay Weighting = PositionDecay.Linear,
    MatchDecay MatchWeighting = MatchDecay.Div,
    double IdfWeighting = 0,
    bool Remind = true)
{
    public static VsknnOptions Default { get; } = new();

    public Fin<VsknnOptions> Validate() => Checks.Validate(Vsknn.AlgorithmName, this,
        Checks.AtLeast("k", K, 1), Checks.AtLeast("sample_size", SampleSize, 0), Checks.AtLeast("idf_weighting", IdfWeighting, 0));

    /// <summary>Keys: <c>k</c>, <c>sample_size</c>, <c>sampling</c>, <c>seed</c>, <c>weighting</c>
    /// (linear|same|div|log|quadratic), <c>weighting_score</c> (same|div|linear|log|quadratic),
    /// <c>idf_weighting</c>, <c>remind</c>.</summary>
    public static Fin<VsknnOptions> FromParameters(IReadOnlyDictionary<string, string>? parameters)
    {
        var r = new ParameterReader(Vsknn.AlgorithmName, parameters);
        var d = Default;
        var options = new VsknnOptions(
            r.Int("k", d.K), r.Int("sample_size", d.SampleSize), r.Enum("sampling", d.Sampling), r.Long("seed", d.Seed),
            r.Enum("weighting", d.Weighting), r.Enum("weighting_score", d.MatchWeighting),
            r.Double("idf_weighting", d.IdfWeighting), r.Bool("remind", d.Remind));
        return r.Finish(() => options).Bind(o => o.Validate());
    }
}

/// <summary>V-SKNN (Jannach and Ludewig 2017, session-rec <c>VMContextKNN</c>): SKNN where the
/// current session is a vector whose items weigh more the later they were clicked
/// (<see cref="VsknnOptions.Weighting"/>). The similarity to a candidate is the sum of the weights
/// of the shared items divided by the number of distinct items in the current session; a
/// neighbour's vote is that similarity times <see cref="VsknnOptions.MatchWeighting"/> of how far
/// back the latest shared item lies (and the optional idf boost).</summary>
public sealed class Vsknn(VsknnOptions options) : IBaselineAlgorithm
{
    public const string AlgorithmName = "vsknn";
    public const string AlgorithmVersion = "1";

    public VsknnOptions Options { get; } = options;
    public string Name => AlgorithmName;
    public string Version => AlgorithmVersion;
    public string Fingerprint => $"{Name} v{Version} {Options}";

    public ISessionScorer Fit(TrainingSessions training, CancellationToken cancellationToken = default)
    {
        Options.Validate().ThrowIfFail();
        var index = new SessionIndex(training);
        var idf = new double[index.Size];
        for (int i = 0; i < idf.Length; i++) idf[i] = Decays.Idf(index.SessionCount, index.ItemClicks[i]);
        return new Scorer(index, Options, idf);
    }

    private sealed class Scorer(SessionIndex index, VsknnOptions options, double[] idf)
        : NeighbourhoodScorer(index, options.K, options.SampleSize, options.Sampling, options.Seed)
    {
        protected override double PrefixItemWeight(int position, int length) => Decays.Position(options.Weighting, position, length);

        protected override double Similarity(NeighbourhoodScratch query, int session, double weightedOverlap) =>
            weightedOverlap / query.DistinctCount;

        protected override void AddNeighbour(NeighbourhoodScratch query, int session, double similarity, int latestSharedPosition, Span<float> scores)
        {
            double vote = similarity * Decays.Match(options.MatchWeighting, query.Length - latestSharedPosition + 1);
            for (int j = Index.DistinctStart[session]; j < Index.DistinctStart[session + 1]; j++)
            {
                int item = Index.DistinctItems[j];
                if (!options.Remind && query.InSession(item)) continue;
                scores[item] += (float)(options.IdfWeighting > 0 ? vote * (1 + idf[item] * options.IdfWeighting) : vote);
            }
        }
    }
}

using LanguageExt;
using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Baselines;

/// <summary>Options of <see cref="Stan"/> (session-rec's STAN defaults, except the time unit of
/// <see cref="LambdaSnh"/>). Any lambda may be infinite (<c>inf</c>), which turns its factor off.</summary>
/// <param name="K">Neighbour sessions that vote (default 100).</param>
/// <param name="SampleSize">Candidate sessions kept before the similarity ranking (default 5000; 0 = all).</param>
/// <param name="Sampling">Which candidates to keep when there are more (default the most recent).</param>
/// <param name="Seed">Seed of <see cref="CandidateSampling.Random"/> (default 42).</param>
/// <param name="LambdaSpw">Position weight of the current session's items,
/// <c>exp(-(L - p) / lambda_spw)</c> (default 1.02).</param>
/// <param name="LambdaSnh">Recency of a neighbour session, <c>exp(-age / lambda_snh)</c>, with age
/// measured in sessions: the current session is taken to follow the last training session, so a
/// neighbour's age is (number of training sessions - its ordinal). Default 10,000 sessions (about
/// half of Beauty's training set: a mild preference for later sessions). Session-rec's default is
/// 5 days of real time; the prepared sessions carry no timestamps, only their canonical order.</param>
/// <param name="LambdaInh">Weight of a neighbour's item by its distance, in the neighbour session,
/// to the latest item shared with the current session, <c>exp(-|distance| / lambda_inh)</c>
/// (default 2.05).</param>
/// <param name="Remind">Whether items already in the current session may be recommended (default true).</param>
public sealed record StanOptions(
    int K = 100,
    int SampleSize = 5000,
    CandidateSampling Sampling = CandidateSampling.Recent,
    long Seed = 42,
    double LambdaSpw = 1.02,
    double LambdaSnh = 10_000,
    double LambdaInh = 2.05,
    bool Remind = true)
{
    public static StanOptions Default { get; } = new();

    public Fin<StanOptions> Validate() => Checks.Validate(Stan.AlgorithmName, this,
        Checks.AtLeast("k", K, 1), Checks.AtLeast("sample_size", SampleSize, 0),
        Checks.Positive("lambda_spw", LambdaSpw), Checks.Positive("lambda_snh", LambdaSnh), Checks.Positive("lambda_inh", LambdaInh));

    /// <summary>Keys: <c>k</c>, <c>sample_size</c>, <c>sampling</c>, <c>seed</c>, <c>lambda_spw</c>,
    /// <c>lambda_snh</c> (sessions), <c>lambda_inh</c>, <c>remind</c>.</summary>
    public static Fin<StanOptions> FromParameters(IReadOnlyDictionary<string, string>? parameters)
    {
        var r = new ParameterReader(Stan.AlgorithmName, parameters);
        var d = Default;
        var options = new StanOptions(
            r.Int("k", d.K), r.Int("sample_size", d.SampleSize), r.Enum("sampling", d.Sampling), r.Long("seed", d.Seed),
            r.Double("lambda_spw", d.LambdaSpw), r.Double("lambda_snh", d.LambdaSnh), r.Double("lambda_inh", d.LambdaInh),
            r.Bool("remind", d.Remind));
        return r.Finish(() => options).Bind(o => o.Validate());
    }
}

/// <summary>STAN (Garg et al. 2019, session-rec <c>STAN</c>): SKNN with three exponential
/// decays. (1) Current-session items weigh <c>exp(-(L - p) / lambda_spw)</c> by the position p of
/// their last click; the similarity is the weighted cosine
/// <c>sum of shared weights / (sqrt(sum of squared weights) * sqrt(distinct items of the neighbour))</c>.
/// (2) It is multiplied by the neighbour's recency <c>exp(-age / lambda_snh)</c>. (3) A neighbour
/// votes its similarity for each of its items times <c>exp(-|q - r| / lambda_inh)</c>, where q is
/// the item's last position in the neighbour and r the last position there of any item of the
/// current session.</summary>
public sealed class Stan(StanOptions options) : IBaselineAlgorithm
{
    public const string AlgorithmName = "stan";
    public const string AlgorithmVersion = "1";

    public StanOptions Options { get; } = options;
    public string Name => AlgorithmName;
    public string Version => AlgorithmVersion;
    public string Fingerprint => $"{Name} v{Version} {Options}";

    public ISessionScorer Fit(TrainingSessions training, CancellationToken cancellationToken = default)
    {
        Options.Validate().ThrowIfFail();
        var o = Options;
        return new StanScorer(new SessionIndex(training), new StanSettings(
            o.K, o.SampleSize, o.Sampling, o.Seed, o.LambdaSpw, o.LambdaSnh, o.LambdaInh, o.Remind,
            LambdaIpw: double.PositiveInfinity, LambdaIdf: 0));
    }
}

internal sealed record StanSettings(
    int K, int SampleSize, CandidateSampling Sampling, long Seed,
    double LambdaSpw, double LambdaSnh, double LambdaInh, bool Remind, double LambdaIpw, double LambdaIdf);

/// <summary>The scorer of STAN and VSTAN; VSTAN's extra factors (lambda_ipw, lambda_idf) are off
/// (infinite, 0) for STAN.</summary>
internal sealed class StanScorer : NeighbourhoodScorer
{
    private readonly StanSettings _settings;
    private readonly double[] _idfBoost;

    public StanScorer(SessionIndex index, StanSettings settings)
        : base(index, settings.K, settings.SampleSize, settings.Sampling, settings.Seed)
    {
        _settings = settings;
        _idfBoost = new double[index.Size];
        for (int i = 0; i < _idfBoost.Length; i++)
            _idfBoost[i] = 1 + Decays.Idf(index.SessionCount, index.ItemClicks[i]) * settings.LambdaIdf;
    }

    protected override double PrefixItemWeight(int position, int length) => Decays.Exponential(length - position, _settings.LambdaSpw);

    protected override double Similarity(NeighbourhoodScratch query, int session, double weightedOverlap)
    {
        double cosine = weightedOverlap / (Math.Sqrt(query.SumOfSquaredWeights) * Math.Sqrt(Index.DistinctCount(session)));
        int age = Index.SessionCount - session;
        return cosine * Decays.Exponential(age, _settings.LambdaSnh);
    }

    protected override void AddNeighbour(NeighbourhoodScratch query, int session, double similarity, int latestSharedPosition, Span<float> scores)
    {
        int from = Index.DistinctStart[session], to = Index.DistinctStart[session + 1];
        int anchor = 0; // last position in the neighbour of an item of the current session
        for (int j = from; j < to; j++)
            if (query.InSession(Index.DistinctItems[j]) && Index.DistinctLastPosition[j] > anchor)
                anchor = Index.DistinctLastPosition[j];
        // VSTAN: discount by how far back in the current session the latest shared click is.
        double vote = similarity * Decays.Exponential(query.Length - latestSharedPosition, _settings.LambdaIpw);
        for (int j = from; j < to; j++)
        {
            int item = Index.DistinctItems[j];
            if (!_settings.Remind && query.InSession(item)) continue;
            double near = Decays.Exponential(Math.Abs(Index.DistinctLastPosition[j] - anchor), _settings.LambdaInh);
            scores[item] += (float)(vote * near * _idfBoost[item]);
        }
    }
}

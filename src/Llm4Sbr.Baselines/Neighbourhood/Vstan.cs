using LanguageExt;
using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Baselines;

/// <summary>Options of <see cref="Vstan"/> (session-rec's VSTAN defaults, except the time unit of
/// <see cref="LambdaSnh"/>, see <see cref="StanOptions.LambdaSnh"/>). Infinite lambdas (<c>inf</c>)
/// and <c>lambda_idf = 0</c> turn their factor off.</summary>
/// <param name="K">Neighbour sessions that vote (default 100).</param>
/// <param name="SampleSize">Candidate sessions kept before the similarity ranking (default 5000; 0 = all).</param>
/// <param name="Sampling">Which candidates to keep when there are more (default the most recent).</param>
/// <param name="Seed">Seed of <see cref="CandidateSampling.Random"/> (default 42).</param>
/// <param name="LambdaSpw">Position weight of the current session's items (default 1.02).</param>
/// <param name="LambdaSnh">Neighbour recency, in sessions (default 10,000).</param>
/// <param name="LambdaInh">Neighbour-item position weight (default 2.05).</param>
/// <param name="LambdaIpw">Discount of a neighbour by how far back in the current session the
/// latest shared click is, <c>exp(-(L - p) / lambda_ipw)</c> (default 1.02; V-SKNN's idea).</param>
/// <param name="LambdaIdf">Boost of rare items: a vote v becomes <c>v (1 + idf * lambda_idf)</c>
/// with <c>idf = log(training sessions / item clicks)</c> (default 5).</param>
/// <param name="Remind">Whether items already in the current session may be recommended (default true).</param>
public sealed record VstanOptions(
    int K = 100,
    int SampleSize = 5000,
    CandidateSampling Sampling = CandidateSampling.Recent,
    long Seed = 42,
    double LambdaSpw = 1.02,
    double LambdaSnh = 10_000,
    double LambdaInh = 2.05,
    double LambdaIpw = 1.02,
    double LambdaIdf = 5,
    bool Remind = true)
{
    public static VstanOptions Default { get; } = new();

    public Fin<VstanOptions> Validate() => Checks.Validate(Vstan.AlgorithmName, this,
        Checks.AtLeast("k", K, 1), Checks.AtLeast("sample_size", SampleSize, 0),
        Checks.Positive("lambda_spw", LambdaSpw), Checks.Positive("lambda_snh", LambdaSnh), Checks.Positive("lambda_inh", LambdaInh),
        Checks.Positive("lambda_ipw", LambdaIpw), Checks.AtLeast("lambda_idf", LambdaIdf, 0));

    /// <summary>Keys: <c>k</c>, <c>sample_size</c>, <c>sampling</c>, <c>seed</c>, <c>lambda_spw</c>,
    /// <c>lambda_snh</c> (sessions), <c>lambda_inh</c>, <c>lambda_ipw</c>, <c>lambda_idf</c>, <c>remind</c>.</summary>
    public static Fin<VstanOptions> FromParameters(IReadOnlyDictionary<string, string>? parameters)
    {
        var r = new ParameterReader(Vstan.AlgorithmName, parameters);
        var d = Default;
        var options = new VstanOptions(
            r.Int("k", d.K), r.Int("sample_size", d.SampleSize), r.Enum("sampling", d.Sampling), r.Long("seed", d.Seed),
            r.Double("lambda_spw", d.LambdaSpw), r.Double("lambda_snh", d.LambdaSnh), r.Double("lambda_inh", d.LambdaInh),
            r.Double("lambda_ipw", d.LambdaIpw), r.Double("lambda_idf", d.LambdaIdf), r.Bool("remind", d.Remind));
        return r.Finish(() => options).Bind(o => o.Validate());
    }
}

/// <summary>VSTAN (Ludewig, Latifi and Jannach 2021, session-rec <c>VSKNN_STAN</c>): STAN plus two
/// V-SKNN ideas: a neighbour's vote is discounted by <c>exp(-(L - p) / lambda_ipw)</c> where p is
/// the position in the current session of the latest click on an item the neighbour shares, and
/// rare items are boosted by <c>1 + idf * lambda_idf</c>.</summary>
public sealed class Vstan(VstanOptions options) : IBaselineAlgorithm
{
    public const string AlgorithmName = "vstan";
    public const string AlgorithmVersion = "1";

    public VstanOptions Options { get; } = options;
    public string Name => AlgorithmName;
    public string Version => AlgorithmVersion;
    public string Fingerprint => $"{Name} v{Version} {Options}";

    public ISessionScorer Fit(TrainingSessions training, CancellationToken cancellationToken = default)
    {
        Options.Validate().ThrowIfFail();
        var o = Options;
        return new StanScorer(new SessionIndex(training), new StanSettings(
            o.K, o.SampleSize, o.Sampling, o.Seed, o.LambdaSpw, o.LambdaSnh, o.LambdaInh, o.Remind, o.LambdaIpw, o.LambdaIdf));
    }
}

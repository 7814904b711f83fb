using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Baselines;

/// <summary>A non-neural session recommender with its options, not yet fitted.</summary>
public interface IBaselineAlgorithm
{
    /// <summary>Registry name (<c>pop</c>, <c>spop</c>, <c>iknn</c>, <c>sknn</c>, <c>vsknn</c>,
    /// <c>stan</c>, <c>vstan</c>).</summary>
    string Name { get; }

    /// <summary>Version of the algorithm's code; bump it when results change.</summary>
    string Version { get; }

    /// <summary>Name, version and every option value: a stable key for memoizing results.</summary>
    string Fingerprint { get; }

    /// <summary>Fits on the training sessions. Pure and deterministic: the same sessions and
    /// options give a scorer with the same scores. The scorer is thread-safe.</summary>
    ISessionScorer Fit(TrainingSessions training, CancellationToken cancellationToken = default);
}

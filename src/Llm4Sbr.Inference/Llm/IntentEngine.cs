using System.Collections.Immutable;
using Llm4Sbr.Core.Answers;
using Llm4Sbr.Core.Prompts;

namespace Llm4Sbr.Inference.Llm;

/// <summary>What the <c>infer</c> stage calls: prompts in, one <see cref="Answer"/> per prompt out, in
/// prompt order whatever the concurrency.</summary>
public interface IIntentEngine : IAsyncDisposable
{
    /// <summary><c>offline</c>, <c>ollama</c> or <c>openai</c>.</summary>
    string Engine { get; }
    string Model { get; }
    /// <summary>Everything that changes answers for the same prompts (for stage memoization).</summary>
    string Fingerprint { get; }
    Task<InferenceOutcome> AnswerAsync(IReadOnlyList<PromptRecord> prompts, IProgress<InferenceProgress>? progress, CancellationToken cancellationToken);
}

/// <summary>Progress over distinct prompts: <see cref="Done"/> of <see cref="Total"/>, of which
/// <see cref="FromCache"/> were cached and <see cref="Received"/> answered in this run.</summary>
public readonly record struct InferenceProgress(int Done, int Total, int FromCache, int Received, int Failed);

/// <summary>Figures of one run. <see cref="Sent"/> counts distinct prompts dispatched, <see cref="Retries"/>
/// extra attempts; <see cref="RepliesByEndpoint"/> shows how the load spread; <see cref="Cache"/> is null
/// for the offline engine.</summary>
public sealed record InferenceStats(
    string Engine,
    string Model,
    int Prompts,
    int DistinctPrompts,
    int FromCache,
    int Sent,
    int Received,
    int Retries,
    int Ok,
    int Empty,
    int Unusable,
    int FellBackToOffline,
    ImmutableSortedDictionary<string, int> RepliesByEndpoint,
    CacheLoadReport? Cache);

/// <summary>A request that failed for good: where, what, and whether the last failure was transient
/// (retries exhausted) or not (retrying would not help).</summary>
public sealed record RequestFailure(string Endpoint, string PromptHash, long SampleId, string View, string Kind, string Detail, bool Transient, int Attempts)
{
    public override string ToString() =>
        $"{Endpoint}: {Kind}: {Detail} (sample {SampleId}, view {View}, {Attempts} attempt{(Attempts == 1 ? "" : "s")})";
}

/// <summary>Why a run stopped. Every reply received before is kept in the cache (<see cref="CacheFolder"/>),
/// so a rerun asks only for the <see cref="PromptsUnanswered"/> distinct prompts left.</summary>
public sealed record InferenceFailure(string Message, ImmutableArray<RequestFailure> Requests, int RepliesKept, int PromptsUnanswered, string CacheFolder);

public abstract record InferenceOutcome(InferenceStats Stats);

/// <summary>One answer per prompt, in prompt order.</summary>
public sealed record InferenceCompleted(ImmutableArray<Answer> Answers, InferenceStats Stats) : InferenceOutcome(Stats);

public sealed record InferenceFailed(InferenceFailure Failure, InferenceStats Stats) : InferenceOutcome(Stats);

using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Keys;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Dataflow;

public enum StageStatus
{
    /// <summary>Taken from a verified cache entry.</summary>
    Cached,
    /// <summary>Run in this run (a miss, a corrupt entry, or forced) and stored.</summary>
    Computed,
    /// <summary>Its run function returned an error or threw.</summary>
    Failed,
    /// <summary>Not run because an input failed.</summary>
    Skipped,
    Canceled,
}

/// <summary>What happened to one stage in a run. <see cref="Seconds"/> is the stage's wall time in
/// this run (verifying the cache entry when cached; computing and storing otherwise);
/// <see cref="Measurements"/> what the stage measured when its entry was computed, at
/// <see cref="MeasuredUtc"/> (in an earlier run when cached). <see cref="Key"/> is null only for a
/// stage skipped before its key was known (it reads a content-keyed stage that did not run).</summary>
public sealed record StageReport(
    string Name, string Version, StageKey? Key, StageStatus Status, double Seconds,
    ImmutableSortedDictionary<string, long> Rows, Error? Error)
{
    public ImmutableSortedDictionary<string, double> Measurements { get; init; } = ImmutableSortedDictionary<string, double>.Empty;
    public DateTimeOffset? MeasuredUtc { get; init; }

    public bool Succeeded => Status is StageStatus.Cached or StageStatus.Computed;
}

public enum StageEventKind { Started, Progress, Finished }

/// <summary>A progress notification from a run: a stage started, reported progress, or finished
/// (with its report). For the shell to render; the engine prints nothing.</summary>
public sealed record StageEvent(string Stage, StageEventKind Kind, StageProgress Progress = default, StageReport? Report = null);

/// <summary>The outcome of a run: every selected stage's report, in dependency order, and access
/// to their outputs (from memory, or loaded from the cache on first use).</summary>
public sealed class RunResult
{
    readonly ImmutableDictionary<string, Func<CancellationToken, Task<object>>> _outputs;

    internal RunResult(string pipeline, ImmutableArray<StageReport> stages, ImmutableDictionary<string, Func<CancellationToken, Task<object>>> outputs)
    {
        Pipeline = pipeline;
        Stages = stages;
        _outputs = outputs;
    }

    public string Pipeline { get; }
    public ImmutableArray<StageReport> Stages { get; }
    public bool Succeeded => Stages.All(s => s.Succeeded);

    /// <summary>The root cause of a failed run: the first failed stage's error (a skipped stage's
    /// error only names its failed input).</summary>
    public Error? FirstError =>
        Stages.FirstOrDefault(s => s.Status == StageStatus.Failed)?.Error
        ?? Stages.FirstOrDefault(s => !s.Succeeded)?.Error;

    public StageReport this[string stage] => Stages.First(s => s.Name == stage);

    public async Task<Fin<T>> OutputAsync<T>(string stage, CancellationToken ct) where T : class
    {
        if (!_outputs.TryGetValue(stage, out var get))
            return FinFail<T>(EngineErrors.OutputUnavailable(stage, Stages.Any(s => s.Name == stage)
                ? $"it did not succeed ({this[stage].Status.ToString().ToLowerInvariant()})"
                : "it was not part of this run"));
        try
        {
            return await get(ct).ConfigureAwait(false) is T value
                ? FinSucc(value)
                : FinFail<T>(EngineErrors.OutputUnavailable(stage, $"it is not a {typeof(T).Name}"));
        }
        catch (StageFailedException e)
        {
            return FinFail<T>(e.Error);
        }
    }
}

/// <summary>Carries a stage's error (as a value) through a faulted dataflow block.</summary>
public sealed class StageFailedException(Error error, Exception? inner = null) : Exception(error.Message, inner)
{
    public Error Error { get; } = error;
}

/// <summary>Faults the blocks of stages whose inputs failed, naming those inputs.</summary>
public sealed class UpstreamFailedException(Error error) : Exception(error.Message)
{
    public Error Error { get; } = error;
}

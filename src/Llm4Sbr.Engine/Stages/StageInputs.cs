using System.Collections.Immutable;

namespace Llm4Sbr.Engine.Stages;

/// <summary>A typed reference to another stage's output, declared by the stage that consumes it.
/// The planner checks before anything runs that the named stage exists and produces a
/// <typeparamref name="T"/>.</summary>
public interface IStageInput
{
    string Stage { get; }
    Type OutputType { get; }
}

public sealed record StageInput<T>(string Stage) : IStageInput where T : class
{
    public Type OutputType => typeof(T);
}

/// <summary>The resolved outputs of a stage's inputs, handed to its run function. Values come from
/// memory when computed in the same run, otherwise from the cache (loaded only because this stage
/// needs them).</summary>
public sealed class StageInputs
{
    readonly ImmutableDictionary<string, object> _values;

    public StageInputs(ImmutableDictionary<string, object> values) => _values = values;

    public static StageInputs None { get; } = new(ImmutableDictionary<string, object>.Empty);

    public T Get<T>(StageInput<T> input) where T : class =>
        _values.TryGetValue(input.Stage, out var value)
            ? value as T ?? throw new InvalidOperationException(
                $"input '{input.Stage}' holds a {value.GetType().Name}, not a {typeof(T).Name}")
            : throw new InvalidOperationException($"input '{input.Stage}' was not declared by this stage");
}

/// <summary>Progress of one stage: <see cref="Done"/> of <see cref="Total"/> units (unknown total
/// when null), with an optional note such as "writing".</summary>
public readonly record struct StageProgress(long Done, long? Total, string? Message = null);

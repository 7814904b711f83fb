using System.Collections.Immutable;
using Llm4Sbr.Engine.Keys;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Engine.Graph;

/// <summary>A stage ready to run: the files outside the cache it reads (their SHA-256, by name), whether
/// this run must recompute it even if the cache holds its key (<c>--force</c>), and its key material
/// and key when they are known. They are not known yet (<see cref="Key"/> null) while it reads, directly
/// or through its inputs' keys, a content-keyed stage (<see cref="StageKeying.ByOutput"/>) whose output
/// is not known: <see cref="AwaitedOutputs"/> names those stages; the runner keys it once they ran.</summary>
public sealed record PlannedStage(IStage Stage, ImmutableSortedDictionary<string, string> External, bool Forced)
{
    public string Name => Stage.Name;
    public ImmutableArray<string> InputNames => [.. Stage.Inputs.Select(i => i.Stage)];
    public KeyMaterial? Material { get; private init; }
    public StageKey? Key { get; private init; }
    /// <summary>The content-keyed stages whose output this stage's key waits for; empty when <see cref="Key"/> is known.</summary>
    public ImmutableArray<string> AwaitedOutputs { get; private init; } = [];

    /// <summary>What a reader of an input needs to know of it: its key, and for a content-keyed input its
    /// output hash (null while unknown); <paramref name="Awaited"/>: what its own key waits for.</summary>
    public readonly record struct InputFacts(IStage Stage, StageKey? Key, string? Content, ImmutableArray<string> Awaited);

    /// <summary>This stage keyed from what is known of its inputs: a reader keys on an input's key, or on
    /// its output hash when the input is content-keyed; while one of those is unknown, the key waits.</summary>
    public PlannedStage KeyedFrom(Func<string, InputFacts> input)
    {
        var keys = ImmutableSortedDictionary.CreateBuilder<string, StageKey>(StringComparer.Ordinal);
        var contents = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var awaited = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in InputNames)
        {
            var facts = input(name);
            if (facts.Stage.Keying == StageKeying.ByOutput)
            {
                if (facts.Content is { } content) contents[name] = content;
                else awaited.Add(name);
            }
            else if (facts.Key is { } key) keys[name] = key;
            else awaited.UnionWith(facts.Awaited);
        }
        if (awaited.Count > 0) return this with { Material = null, Key = null, AwaitedOutputs = [.. awaited] };
        var material = new KeyMaterial(Stage.Name, Stage.Version, Stage.Codec.Id, Stage.CanonicalConfig, keys.ToImmutable(), External)
        {
            InputContents = contents.ToImmutable(),
        };
        return this with { Material = material, Key = material.Key, AwaitedOutputs = [] };
    }
}

/// <summary>What a run does: the selected stages in dependency order, each with its key.</summary>
public sealed record PipelinePlan(PipelineDefinition Pipeline, ImmutableArray<PlannedStage> Stages)
{
    public string Name => Pipeline.Name;
    public PlannedStage this[string stage] => Stages.First(s => s.Name == stage);
    public bool Contains(string stage) => Stages.Any(s => s.Name == stage);
}

/// <summary><c>--until STAGE</c>: that stage and its ancestors only. <c>--force STAGE</c>: recompute
/// that stage and every stage downstream of it, even though their keys are unchanged (a forced
/// stage's key is the same, so its dependants' keys are too; forcing them as well is what makes
/// "recompute from here" mean what it says when a stage's output can differ between runs, as an
/// LLM's can). The recomputed entries replace the old ones in the cache.</summary>
public sealed record PlanOptions(string? Until = null, ImmutableArray<string> Force = default)
{
    public ImmutableArray<string> ForceStages => Force.IsDefault ? [] : Force;

    /// <summary>What the user set <see cref="Until"/> with, as errors name it: the CLI's <c>--until</c>, or a
    /// configuration key (the host's <c>Refresh:Until</c>).</summary>
    public string UntilSource { get; init; } = "--until";
}

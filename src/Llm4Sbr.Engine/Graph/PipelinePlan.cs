using System.Collections.Immutable;
using Llm4Sbr.Engine.Keys;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Engine.Graph;

/// <summary>A stage ready to run: its key material and key, and whether this run must recompute
/// it even if the cache holds its key (<c>--force</c>).</summary>
public sealed record PlannedStage(IStage Stage, KeyMaterial Material, bool Forced)
{
    public string Name => Stage.Name;
    public StageKey Key { get; } = Material.Key;
    public ImmutableArray<string> InputNames => [.. Stage.Inputs.Select(i => i.Stage)];
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
}

namespace Llm4Sbr.Engine.Stages;

/// <summary>What the stages that read a stage key on (build systems call <see cref="ByOutput"/> early
/// cutoff, or content-addressed keys).</summary>
public enum StageKeying
{
    /// <summary>The default: a reader's key holds this stage's key, derived from its inputs and
    /// configuration. Any change upstream reaches every reader, even when this stage's output stays the same.</summary>
    ByInputs,
    /// <summary>A reader's key holds the hash of this stage's stored output (its files' SHA-256, from its
    /// cache entry's manifest) instead. The stage itself is still keyed by its inputs and recomputed when they
    /// change, but when the recomputation writes the same files, its readers keep their keys and stay
    /// cached. Meant for small projections (e.g. the training part of a dataset) that shield costly readers
    /// from changes they do not see. A reader's key is known when the planner finds this stage cached;
    /// otherwise only after it ran (the runner computes it then, and looks it up as usual).</summary>
    ByOutput,
}

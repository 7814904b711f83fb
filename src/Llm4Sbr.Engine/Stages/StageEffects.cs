namespace Llm4Sbr.Engine.Stages;

/// <summary>What a stage's run function does besides computing its output from its inputs and
/// configuration. A stage with <see cref="None"/> is pure: the same inputs give the same output on
/// any machine, and running it has no other consequence. The others still must give equal outputs
/// for equal memo keys (the key covers every file they read, the effects are caches and
/// measurements), but a reader, and a property test, must not assume purity of them. The flags are
/// declared, not enforced, and are not part of the memo key.</summary>
[Flags]
public enum StageEffects
{
    None = 0,
    /// <summary>Reads files outside the memo store (the dataset, a model).</summary>
    ReadsFiles = 1 << 0,
    /// <summary>Writes files outside the memo store (a side cache, temporary files).</summary>
    WritesFiles = 1 << 1,
    /// <summary>Reads the clock (timings, deadlines).</summary>
    ReadsClock = 1 << 2,
    /// <summary>Runs a model on native runtimes (ONNX Runtime, libtorch).</summary>
    RunsModels = 1 << 3,
    /// <summary>Talks to a server over the network.</summary>
    Network = 1 << 4,
    /// <summary>Changes process-wide state (thread counts, patched native libraries).</summary>
    ProcessState = 1 << 5,
}

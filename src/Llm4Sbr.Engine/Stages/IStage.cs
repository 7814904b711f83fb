using System.Collections.Immutable;
using LanguageExt;

namespace Llm4Sbr.Engine.Stages;

/// <summary>The engine's view of a stage: a name, a version, its own configuration (canonically
/// serialised for the memo key), the stages it reads, the files outside the cache it reads, a
/// codec for its output and a run function. The engine never looks inside the configuration or
/// the output; it only hashes, stores, loads and hands them on.</summary>
public interface IStage
{
    string Name { get; }
    /// <summary>Bump whenever the run function's result for the same inputs changes.</summary>
    string Version { get; }
    ImmutableArray<IStageInput> Inputs { get; }
    ImmutableArray<ExternalInput> ExternalInputs { get; }
    object Config { get; }
    /// <summary>The configuration as canonical JSON (sorted keys, no whitespace).</summary>
    string CanonicalConfig { get; }
    Type OutputType { get; }
    IStageCodec Codec { get; }
    /// <summary>What running it does besides computing the output; <see cref="StageEffects.None"/>: pure.</summary>
    StageEffects Effects { get; }
    /// <summary>What the stages reading this one key on: its key (<see cref="StageKeying.ByInputs"/>, the
    /// default) or the hash of its stored output (<see cref="StageKeying.ByOutput"/>: early cutoff).</summary>
    StageKeying Keying { get; }
    Task<Fin<object>> RunAsync(StageInputs inputs, StageContext context);
}

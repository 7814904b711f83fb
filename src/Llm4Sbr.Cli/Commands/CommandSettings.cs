using System.Collections.Immutable;
using Llm4Sbr.Engine.Pipelines;

namespace Llm4Sbr.Cli.Commands;

/// <summary>What the user asked for, as parsed from the command line. <see cref="Overrides"/>
/// replaces keys of the pipeline file (<c>--llm</c>, <c>--models</c>, <c>--set</c>...).</summary>
public sealed record CommandSettings(
    string Pipeline,
    bool Json = false,
    string? Cache = null,
    string? Out = null,
    bool Verbose = false,
    string? Until = null,
    ImmutableArray<string> Force = default)
{
    public PipelineOverrides Overrides { get; init; } = PipelineOverrides.None;

    /// <summary><c>--progress</c>: the style asked for, or null for the default (<see cref="Rendering.ProgressLines.Resolve"/>).</summary>
    public Rendering.ProgressStyle? Progress { get; init; }
}

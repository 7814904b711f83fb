using System.Collections.Immutable;

namespace Llm4Sbr.Cli.Commands;

/// <summary>What the user asked for, as parsed from the command line.</summary>
public sealed record CommandSettings(
    string Pipeline,
    bool Json = false,
    string? Cache = null,
    string? Out = null,
    bool Verbose = false,
    string? Until = null,
    ImmutableArray<string> Force = default);

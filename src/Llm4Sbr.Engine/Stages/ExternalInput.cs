using Llm4Sbr.Engine.Errors;

namespace Llm4Sbr.Engine.Stages;

/// <summary>A file outside the cache that a stage reads (a dataset's source file). Its SHA-256 is
/// part of the stage's memo key, so editing or replacing the file reruns the stage.
/// <see cref="Path"/> is absolute; <see cref="DisplayPath"/> is as the pipeline file wrote it;
/// <see cref="Location"/> names the pipeline key that set it, for error messages;
/// <see cref="MissingHint"/> tells the user where to get the file when it is absent.</summary>
public sealed record ExternalInput(
    string Name, string Path, string DisplayPath, EngineErrors.ConfigLocation Location, string? MissingHint = null);

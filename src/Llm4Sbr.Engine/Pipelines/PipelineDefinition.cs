using System.Collections.Immutable;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Engine.Pipelines;

/// <summary>A pipeline file: its absolute path, how to show it (relative to the repository root)
/// and the repository root its relative paths start from (the folder above the file's folder).</summary>
public sealed record PipelineSource(string Path, string DisplayPath, string RepoRoot)
{
    public static PipelineSource ForFile(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(full)!;
        var root = System.IO.Path.GetDirectoryName(folder) ?? folder;
        var display = System.IO.Path.GetRelativePath(root, full).Replace('\\', '/');
        return new PipelineSource(full, display, root);
    }
}

/// <summary>A parsed and validated pipeline: its name and its stages (in catalogue order; the
/// planner orders them by dependency). <see cref="Sections"/> and <see cref="Context"/> are the
/// file as read (overrides applied), for tools that need a section's settings outside a stage (e.g.
/// <c>recommend</c> computing a new session's views with the run's intent settings).</summary>
public sealed record PipelineDefinition(string Name, string? Description, PipelineSource Source, ImmutableArray<IStage> Stages)
{
    public PipelineSections? Sections { get; init; }
    public PipelineContext? Context { get; init; }

    public IStage? Find(string stage) => Stages.FirstOrDefault(s => s.Name == stage);
}

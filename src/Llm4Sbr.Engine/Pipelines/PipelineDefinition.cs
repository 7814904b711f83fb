using System.Collections.Immutable;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Engine.Pipelines;

/// <summary>A pipeline file: its absolute path, how to show it (relative to the repository root)
/// and the repository root its relative paths start from (the folder above the file's folder).</summary>
public sealed record PipelineSource(string Path, string DisplayPath, string RepoRoot)
{
    /// <param name="workingDirectory">Where the user is. The file is shown relative to it when inside it,
    /// else relative to its repository root when the user is inside that repository, else by its
    /// absolute path (a path relative to a folder the user is not in would name another file).
    /// Without one: relative to the repository root.</param>
    public static PipelineSource ForFile(string path, string? workingDirectory = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(full)!;
        var root = System.IO.Path.GetDirectoryName(folder) ?? folder;
        var display = workingDirectory is null ? System.IO.Path.GetRelativePath(root, full)
            : Within(workingDirectory, full) is { } here ? here
            : Within(root, System.IO.Path.GetFullPath(workingDirectory)) is not null ? System.IO.Path.GetRelativePath(root, full)
            : full;
        return new PipelineSource(full, display.Replace('\\', '/'), root);
    }

    /// <summary><paramref name="path"/> relative to <paramref name="folder"/>, or null when outside it.</summary>
    static string? Within(string folder, string path)
    {
        var relative = System.IO.Path.GetRelativePath(folder, path);
        return relative == ".." || relative.StartsWith(".." + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || System.IO.Path.IsPathRooted(relative) ? null : relative;
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
    /// <summary>The command-line overrides applied, so errors found later (a source file missing at
    /// planning) name the option that set a value instead of a line of the file it is not in.</summary>
    public PipelineOverrides Overrides { get; init; } = PipelineOverrides.None;

    public IStage? Find(string stage) => Stages.FirstOrDefault(s => s.Name == stage);
}

using LanguageExt;
using Llm4Sbr.Engine.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Pipelines;

/// <summary>Finds a pipeline file from what the user typed: a path (anything with a separator or
/// a .yaml/.yml/.json extension, or an existing file), or a bare name looked up as
/// <c>pipelines/NAME.yaml</c> (or .yml, .json) in the working directory and its parents, then in
/// the application's folder and its parents.</summary>
public static class PipelineLocator
{
    public static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static Fin<PipelineSource> Resolve(string pipeline, string workingDirectory, string? applicationDirectory = null)
    {
        var asPath = Path.IsPathRooted(pipeline) ? pipeline : Path.Combine(workingDirectory, pipeline);
        var looksLikePath = pipeline.Contains('/') || pipeline.Contains('\\')
            || Extensions.Any(e => pipeline.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        if (File.Exists(asPath)) return FinSucc(PipelineSource.ForFile(asPath, workingDirectory));
        if (looksLikePath)
            return FinFail<PipelineSource>(LanguageExt.Common.Error.New(EngineErrors.PipelineNotFoundCode, $"pipeline file not found: {pipeline}"));

        var roots = SearchRoots(workingDirectory, applicationDirectory);
        foreach (var root in roots)
            foreach (var extension in Extensions)
            {
                var candidate = Path.Combine(root, "pipelines", pipeline + extension);
                if (File.Exists(candidate)) return FinSucc(PipelineSource.ForFile(candidate, workingDirectory));
            }

        var folders = roots.Select(r => Path.Combine(r, "pipelines")).Where(Directory.Exists).ToList();
        var available = folders
            .SelectMany(f => Directory.EnumerateFiles(f))
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Distinct()
            .Order(StringComparer.Ordinal);
        var searched = folders.Count > 0 ? folders : [Path.Combine(workingDirectory, "pipelines")];
        return FinFail<PipelineSource>(EngineErrors.PipelineNotFound(pipeline, searched, available));
    }

    /// <summary>The folders whose <c>pipelines/</c> a bare name is looked up in, in order: the working
    /// directory and its parents, then the application's folder and its parents.</summary>
    public static IReadOnlyList<string> SearchRoots(string workingDirectory, string? applicationDirectory) =>
        [.. Ancestors(workingDirectory).Concat(applicationDirectory is null ? [] : Ancestors(applicationDirectory)).Distinct()];

    static IEnumerable<string> Ancestors(string directory)
    {
        for (var d = new DirectoryInfo(Path.GetFullPath(directory)); d is not null; d = d.Parent)
            yield return d.FullName;
    }
}

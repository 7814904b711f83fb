using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Engine.Pipelines;

/// <summary>A stage as the pipeline file knows it: the stage it builds, the top-level sections it
/// owns, and how to turn them into an <see cref="IStage"/> (parse, validate, capture its effects).
/// Adding a stage to the product is one module plus its line in the catalogue: the parser core,
/// the planner and the runner do not change.</summary>
public interface IStageModule
{
    string Stage { get; }
    /// <summary>Top-level keys of the pipeline file this module reads (e.g. <c>dataset</c> for <c>load</c>).</summary>
    ImmutableArray<string> Sections { get; }
    /// <summary>Builds the stage from its sections (absent sections read as empty). Pure apart from
    /// resolving paths against <see cref="PipelineContext.RepoRoot"/>: files are checked later, by the planner.</summary>
    Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context);
}

/// <summary>Where the pipeline being built comes from.</summary>
public sealed record PipelineContext(string Name, PipelineSource Source)
{
    public string RepoRoot => Source.RepoRoot;
    public string DisplayFile => Source.DisplayPath;

    /// <summary>A path from the pipeline file, relative to the repository root unless absolute.</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(RepoRoot, path));
}

/// <summary>The top-level sections of a pipeline file, by name.</summary>
public sealed class PipelineSections(string file, ConfigMap root)
{
    public ConfigSection this[string name]
    {
        get
        {
            var entry = root.Find(name);
            return new ConfigSection(file, name, entry?.Value, entry?.Line);
        }
    }
}

/// <summary>The modules a product knows, in the order their stages are listed. Stage names and
/// section names must be unique (a programming error otherwise, so it throws).</summary>
public sealed class StageCatalog
{
    public StageCatalog(IEnumerable<IStageModule> modules)
    {
        Modules = [.. modules];
        var duplicateStage = Modules.GroupBy(m => m.Stage).FirstOrDefault(g => g.Count() > 1);
        if (duplicateStage is not null) throw new ArgumentException($"two modules build stage '{duplicateStage.Key}'");
        var duplicateSection = Modules.SelectMany(m => m.Sections.Select(s => (Section: s, m.Stage)))
            .GroupBy(p => p.Section).FirstOrDefault(g => g.Count() > 1);
        if (duplicateSection is not null)
            throw new ArgumentException($"section '{duplicateSection.Key}' is claimed by {string.Join(" and ", duplicateSection.Select(p => p.Stage))}");
        if (Modules.SelectMany(m => m.Sections).FirstOrDefault(s => PipelineLoader.CoreKeys.Contains(s)) is { } reserved)
            throw new ArgumentException($"section '{reserved}' is reserved for the pipeline itself");
    }

    public ImmutableArray<IStageModule> Modules { get; }

    public StageCatalog With(params IStageModule[] more) => new(Modules.Concat(more));
}

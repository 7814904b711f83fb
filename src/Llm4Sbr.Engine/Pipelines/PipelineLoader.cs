using System.Collections.Immutable;
using System.Text.RegularExpressions;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Pipelines;

/// <summary>Turns a pipeline file into a <see cref="PipelineDefinition"/>: YAML to a config tree,
/// top-level keys checked against the pipeline's own keys and the catalogue's sections, then each
/// module builds its stage from its sections. Every error found is returned, none thrown.</summary>
public static partial class PipelineLoader
{
    /// <summary>Top-level keys that belong to the pipeline, not to a stage.</summary>
    public static readonly ImmutableArray<string> CoreKeys = ["name", "description"];

    /// <param name="overrides">Values replacing keys of the file (e.g. from the command line), applied
    /// before the modules read it; see <see cref="PipelineOverrides"/>.</param>
    public static Validation<Error, PipelineDefinition> LoadFile(PipelineSource source, StageCatalog catalog, PipelineOverrides? overrides = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(source.Path);
        }
        catch (IOException e)
        {
            return Fail<Error, PipelineDefinition>(Error.New(EngineErrors.PipelineNotFoundCode, $"{source.DisplayPath}: cannot read: {e.Message}"));
        }
        return Parse(text, source, catalog, overrides);
    }

    public static Validation<Error, PipelineDefinition> Parse(string text, PipelineSource source, StageCatalog catalog, PipelineOverrides? overrides = null)
    {
        var applying = overrides ?? PipelineOverrides.None;
        return YamlConfig.Parse(text, source.DisplayPath).Match(
            Succ: parsed => (applying.IsEmpty ? Success<Error, ConfigMap>(parsed) : applying.Apply(parsed))
                .Bind(root => Define(root, source, catalog, applying)),
            Fail: error => Fail<Error, PipelineDefinition>(error));
    }

    /// <summary>The stages of a parsed file (overrides applied): every problem of every section at once.</summary>
    static Validation<Error, PipelineDefinition> Define(ConfigMap root, PipelineSource source, StageCatalog catalog, PipelineOverrides overrides)
    {
        var file = source.DisplayPath;

        var sectionNames = CoreKeys.Concat(catalog.Modules.SelectMany(m => m.Sections)).ToList();
        var errors = root.Entries
            .Where(e => !sectionNames.Contains(e.Key))
            .Select(e => EngineErrors.UnknownKey(new(file, e.Key, e.Line), sectionNames, "section"))
            .ToList();

        var top = new ConfigSection(file, "", root).Read(r => (
            Name: r.OptionalString("name"),
            Description: r.OptionalString("description"),
            Sections: sectionNames.Skip(CoreKeys.Length).Select(r.Section).ToList()));
        var name = Path.GetFileNameWithoutExtension(source.Path);
        string? description = null;
        top.Match(
            Succ: t =>
            {
                description = t.Description;
                if (t.Name is { } n)
                {
                    if (PipelineName().IsMatch(n)) name = n;
                    else errors.Add(EngineErrors.InvalidValue(new(file, "name", root.Find("name")?.Line),
                        $"'{n}' is not a valid pipeline name (letters, digits, '.', '_' and '-')"));
                }
            },
            Fail: e => errors.AddRange(e.Where(x => x.Code != EngineErrors.UnknownKeyCode)));

        var context = new PipelineContext(name, source);
        var sections = new PipelineSections(file, root);
        var stages = ImmutableArray.CreateBuilder<IStage>();
        foreach (var module in catalog.Modules)
            module.Build(sections, context).Match(
                Succ: stage =>
                {
                    if (stage.Name != module.Stage)
                        throw new InvalidOperationException($"module for '{module.Stage}' built a stage named '{stage.Name}'");
                    stages.Add(stage);
                },
                Fail: e => errors.AddRange(e));

        return errors.Count > 0
            ? Fail<Error, PipelineDefinition>(overrides.Relabel(errors.ToSeq(), file))
            : Success<Error, PipelineDefinition>(new PipelineDefinition(name, description, source, stages.ToImmutable()) { Sections = sections, Context = context, Overrides = overrides });
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex PipelineName();
}

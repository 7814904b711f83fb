using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Stages.Data.Codecs;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Data;

/// <summary>Configuration of the <c>load</c> stage (section <c>dataset</c>). Paths are as written
/// in the pipeline file (relative to the repository root), so the key does not depend on where the
/// repository is checked out; the files' contents are part of the key separately.</summary>
public sealed record LoadConfig(string Name, DatasetFormat Format, string Interactions, string Items, bool SkipBadLines, int MaxReportedIssues);

/// <summary>The <c>load</c> stage: reads a dataset's two source files into <c>LoadedData</c>.
/// <code>
/// dataset:
///   name: amazon-beauty            # shown in summaries (default: the pipeline's name)
///   format: amazon-sessions        # amazon-sessions | movielens-csv | movielens-dat | generic
///   interactions: data/amazon-beauty/sessions.txt
///   items: data/amazon-beauty/items.csv
///   skip_bad_lines: false          # true: skip malformed lines, count and report them
///   max_reported_issues: 20        # skipped lines kept verbatim in the report
///   source: https://...            # where to download the files, for the error when they are missing
/// </code></summary>
public sealed class LoadStage(IDatasetSource source) : IStageModule
{
    public const string Name = "load";
    public static readonly StageInput<LoadedData> Output = new(Name);

    public static readonly ConfigChoices<DatasetFormat> Formats = new(
        ("amazon-sessions", DatasetFormat.AmazonSessions),
        ("movielens-csv", DatasetFormat.MovieLensCsv),
        ("movielens-dat", DatasetFormat.MovieLensDat),
        ("generic", DatasetFormat.Generic));

    public string Stage => Name;
    public ImmutableArray<string> Sections => ["dataset"];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context)
    {
        var section = sections["dataset"];
        if (!section.IsPresent)
            return Fail<Error, IStage>(Engine.Errors.EngineErrors.MissingKey(section.Location,
                $"a section with the dataset's format ({string.Join(", ", Formats.Names)}), interactions and items files"));
        return section.Read(r => (
            Config: new LoadConfig(
                r.String("name", context.Name),
                r.RequiredChoice("format", Formats),
                r.RequiredString("interactions", "the path of the interactions file"),
                r.RequiredString("items", "the path of the items file"),
                r.Bool("skip_bad_lines", false),
                r.Int("max_reported_issues", 20, min: 0)),
            Source: r.OptionalString("source"),
            InteractionsAt: r.Location("interactions"),
            ItemsAt: r.Location("items")))
        .Map(read => (IStage)Create(read.Config, context, read.Source, read.InteractionsAt, read.ItemsAt));
    }

    StageDefinition<LoadConfig, Core.Loading.LoadedData> Create(
        LoadConfig config, PipelineContext context, string? download,
        Engine.Errors.EngineErrors.ConfigLocation interactionsAt, Engine.Errors.EngineErrors.ConfigLocation itemsAt)
    {
        var interactions = context.Resolve(config.Interactions);
        var items = context.Resolve(config.Items);
        var hint = download is null ? null : MissingHint(download, config);
        return Engine.Stages.Stage.Effectful(Name, DatasetDecoding.Version, StageEffects.ReadsFiles, config, LoadedDataCodec.Instance, [],
            (c, _, _) => source.Load(new SourceFiles(c.Format, interactions, items), new LoadOptions(c.SkipBadLines, c.MaxReportedIssues)))
            with
            {
                ExternalInputs =
                [
                    new ExternalInput("interactions", interactions, config.Interactions, interactionsAt, hint),
                    new ExternalInput("items", items, config.Items, itemsAt, hint),
                ],
            };
    }

    static string MissingHint(string download, LoadConfig config)
    {
        var folders = new[] { config.Interactions, config.Items }
            .Select(p => Path.GetDirectoryName(p)?.Replace('\\', '/') ?? ".").Distinct().ToList();
        var files = string.Join(" and ", new[] { config.Interactions, config.Items }.Select(Path.GetFileName));
        return $"Get the dataset from {download} and put {files} in {string.Join(", ", folders.Select(f => f + "/"))}";
    }
}

using Llm4Sbr.Tests.Shared;
using System.Collections.Immutable;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Runs;
using Llm4Sbr.Stages.Modeling;
using Llm4Sbr.Stages.Modeling.Train;
using Microsoft.Extensions.Logging.Abstractions;

namespace Llm4Sbr.Stages.Tests.Modeling.Support;

/// <summary>The bundled pipelines' data sections.</summary>
public static class Repo
{
    static readonly ImmutableArray<string> DataSections = ["name", "description", "dataset", "sessions", "split", "samples"];

    /// <summary>The bundled pipeline's top-level blocks for the data stages only (so the tests do not
    /// depend on sections other stages add to the same file), followed by <paramref name="extra"/>.</summary>
    public static string Pipeline(string name, string extra) => Sections(name, DataSections) + "\n" + extra;

    /// <summary>The bundled pipeline's top-level blocks named <paramref name="keys"/>, in file order.</summary>
    public static string Sections(string name, IReadOnlyCollection<string> keys)
    {
        var kept = new List<string>();
        var keep = false;
        foreach (var line in File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "pipelines", name + ".yaml")))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && !line.StartsWith('#'))
            {
                var key = line.Split(':')[0].Trim();
                keep = keys.Contains(key);
            }
            if (keep) kept.Add(line);
        }
        return string.Join('\n', kept);
    }
}

/// <summary>A temporary cache and runs folder; pipelines read data from the repository.</summary>
public sealed class ModelingWorkspace : IDisposable
{
    public ModelingWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "llm4sbr-modeling-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Store = new MemoStore(Path.Combine(Root, "cache"), NullLogger.Instance, TimeProvider.System);
    }

    public string Root { get; }
    public MemoStore Store { get; }
    public string RunDirectory(string pipeline = "test") => Path.Combine(Root, "runs", pipeline);

    /// <summary>Data stages, the test views (<c>test-views</c>) and the modeling stages reading them.</summary>
    public static StageCatalog Catalog(ModelingOverrides? overrides = null, bool withViews = true) =>
        new([
            .. DataStageModules.All(FileDatasetSource.Instance),
            .. withViews ? [new TestViewsStage()] : Array.Empty<IStageModule>(),
            .. ModelingStageModules.All(withViews ? TestViewsStage.Name : null, overrides, withViews ? TestViewsStage.Name : null),
        ]);

    public static LanguageExt.Validation<LanguageExt.Common.Error, PipelineDefinition> Parse(string yaml, StageCatalog catalog) =>
        PipelineLoader.Parse(yaml, new PipelineSource(Path.Combine(RepositoryRoot.Path, "pipelines", "test.yaml"), "pipelines/test.yaml", RepositoryRoot.Path), catalog);

    /// <summary>Runs the pipeline through the engine; outputs go to <c>runs/NAME</c> (<paramref name="runsFolder"/>,
    /// else the pipeline's name), so tests that share a workspace need not share a runs folder.</summary>
    public async Task<RunResult> RunAsync(string yaml, StageCatalog? catalog = null, PlanOptions? options = null, string? runsFolder = null)
    {
        var pipeline = Parse(yaml, catalog ?? Catalog())
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));
        var plan = (await PipelinePlanner.PlanAsync(pipeline, options ?? new PlanOptions(), new FileFingerprints(), CancellationToken.None))
            .Match(p => p, e => throw new InvalidOperationException(e.Message));
        var outputs = new RunOutputs(RunDirectory(runsFolder ?? plan.Name), NullLogger.Instance, TimeProvider.System);
        var run = await new PipelineRunner(Store, NullLogger.Instance).RunAsync(plan, outputs, null, CancellationToken.None);
        if (!run.Succeeded) throw new InvalidOperationException(run.FirstError?.Message ?? "the run failed");
        return run;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

public static class FinTestExtensions
{
    public static T Value<T>(this LanguageExt.Fin<T> fin) => fin.Match(v => v, e => throw new InvalidOperationException(e.Message));
    public static string ErrorMessage<T>(this LanguageExt.Fin<T> fin) => fin.Match(_ => throw new InvalidOperationException("expected a failure"), e => e.Message);
}

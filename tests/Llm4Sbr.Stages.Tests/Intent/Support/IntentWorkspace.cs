using System.Collections.Concurrent;
using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Runs;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Stages.Tests.Intent.Support;

/// <summary>Runs a bundled pipeline (from the repository's <c>pipelines/</c>, reading its bundled
/// data) with the product's catalogue, its stage cache and intent caches in a throw-away folder.</summary>
public sealed class IntentWorkspace : IDisposable
{
    public IntentWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "llm4sbr-intent-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Services = new Llm4Sbr.Stages.Intent.IntentServices { CacheRoot = CacheRoot };
        Store = new MemoStore(CacheRoot, Logger, TimeProvider.System);
    }

    public string Root { get; }
    public string CacheRoot => Path.Combine(Root, ".cache");
    public Llm4Sbr.Stages.Intent.IntentServices Services { get; }
    public ListLogger Logger { get; } = new();
    public MemoStore Store { get; }

    public StageCatalog Catalog => ProductCatalog.Create(intent: Services);

    public Validation<Error, PipelineDefinition> Load(string pipeline, PipelineOverrides? overrides = null) =>
        PipelineLoader.LoadFile(PipelineSource.ForFile(RepoPaths.Pipeline(pipeline)), Catalog, overrides);

    /// <summary>These tests run the intent stages: the plan stops at localize (the modeling stages
    /// that follow are tested in Modeling/).</summary>
    static PlanOptions IntentOnly(PlanOptions? options) =>
        (options ?? new PlanOptions()) is { Until: null } o ? o with { Until = "localize" } : options!;

    public async Task<RunResult> RunAsync(string pipeline, PipelineOverrides? overrides = null, PlanOptions? options = null)
    {
        var definition = Load(pipeline, overrides).Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));
        var plan = (await PipelinePlanner.PlanAsync(definition, IntentOnly(options), new FileFingerprints(), CancellationToken.None))
            .Match(p => p, e => throw new InvalidOperationException(e.Message));
        return await new PipelineRunner(Store, Logger).RunAsync(plan, new RunOutputs(Path.Combine(Root, "runs", plan.Name), Logger, TimeProvider.System), null, CancellationToken.None);
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

public static class RepoPaths
{
    /// <summary>A bundled pipeline's file.</summary>
    public static string Pipeline(string name) => Path.Combine(Llm4Sbr.Tests.Shared.RepositoryRoot.Path, "pipelines", name + ".yaml");
}

/// <summary>Keeps log messages for assertions and failure reports.</summary>
public sealed class ListLogger : ILogger
{
    readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, formatter(state, exception)));
}

public static class RunAssertions
{
    public static ImmutableDictionary<string, StageStatus> Statuses(this RunResult run) =>
        run.Stages.ToImmutableDictionary(s => s.Name, s => s.Status);

    public static void Succeeded(this RunResult run) =>
        Assert.True(run.Succeeded, run.FirstError?.Message);

    public static async Task<T> Output<T>(this RunResult run, string stage) where T : class =>
        (await run.OutputAsync<T>(stage, CancellationToken.None)).Match(v => v, e => throw new InvalidOperationException(e.Message));

    public static T Value<T>(this Fin<T> fin) => fin.Match(v => v, e => throw new InvalidOperationException(e.Message));
}

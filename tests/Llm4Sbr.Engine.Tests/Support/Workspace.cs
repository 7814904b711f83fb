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

namespace Llm4Sbr.Engine.Tests.Support;

/// <summary>A throw-away repository root with <c>pipelines/</c>, a cache and a runs folder.</summary>
public sealed class Workspace : IDisposable
{
    public Workspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "llm4sbr-engine-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Root, "pipelines"));
        Store = new MemoStore(CacheRoot, Logger, TimeProvider.System);
    }

    public string Root { get; }
    public string CacheRoot => Path.Combine(Root, ".cache");
    public StageLog Log { get; } = new();
    public ListLogger Logger { get; } = new();
    public MemoStore Store { get; }

    public PipelineSource WritePipeline(string yaml, string name = "test")
    {
        var path = Path.Combine(Root, "pipelines", name + ".yaml");
        File.WriteAllText(path, yaml);
        return PipelineSource.ForFile(path);
    }

    public PipelineDefinition Load(string yaml, StageCatalog? catalog = null) =>
        PipelineLoader.LoadFile(WritePipeline(yaml), catalog ?? TestStages.Catalog(Log))
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));

    public async Task<PipelinePlan> PlanAsync(string yaml, PlanOptions? options = null)
    {
        var plan = await PipelinePlanner.PlanAsync(Load(yaml), options ?? new PlanOptions(), new FileFingerprints(), CancellationToken.None);
        return plan.Match(p => p, e => throw new InvalidOperationException(e.Message));
    }

    public RunOutputs Outputs(string pipeline = "test") =>
        new(Path.Combine(Root, "runs", pipeline), Logger, TimeProvider.System);

    public async Task<RunResult> RunAsync(string yaml, PlanOptions? options = null, CancellationToken ct = default)
    {
        var plan = await PlanAsync(yaml, options);
        return await new PipelineRunner(Store, Logger).RunAsync(plan, Outputs(plan.Name), null, ct);
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

/// <summary>Keeps log messages for assertions.</summary>
public sealed class ListLogger : ILogger
{
    readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];
    public IEnumerable<string> Warnings => Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, formatter(state, exception)));
}

public static class TestPipelines
{
    public const string Default = """
        source: {count: 5, offset: 10}
        scale: {factor: 3}
        total: {}
        side: {}
        """;

    public static ImmutableDictionary<string, StageStatus> Statuses(this RunResult run) =>
        run.Stages.ToImmutableDictionary(s => s.Name, s => s.Status);

    public static T Value<T>(this Fin<T> fin) => fin.Match(v => v, e => throw new InvalidOperationException(e.Message));

    public static Error ErrorOf<T>(this Fin<T> fin) => fin.Match(_ => throw new InvalidOperationException("expected a failure"), e => e);
}

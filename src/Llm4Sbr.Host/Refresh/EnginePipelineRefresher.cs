using System.Diagnostics;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Runs;
using Llm4Sbr.Stages;
using Llm4Sbr.Stages.Intent;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Host.Refresh;

/// <summary>Runs a pipeline through the engine up to a stage, as <c>llm4sbr run PIPELINE --until
/// STAGE</c> does: same catalogue, same cache root and run folder, so the product's next run finds
/// every refreshed stage cached.</summary>
public sealed class EnginePipelineRefresher(RefreshSettings settings, Func<string, string?> environment, TimeProvider time, ILogger<EnginePipelineRefresher> logger)
    : IPipelineRefresher
{
    public async Task<RefreshOutcome> RefreshAsync(string pipeline, string until, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var planned = await PlanAsync(pipeline, until, cancellationToken).ConfigureAwait(false);
        if (planned.Case is Error invalid)
            return new(pipeline, false, 0, 0, time.GetElapsedTime(started).TotalSeconds, invalid.Message);
        var (pipelineDefinition, plan) = ((PipelineDefinition, PipelinePlan))planned.Case;

        var store = new MemoStore(settings.CacheRoot, logger, time);
        var outputs = new RunOutputs(Path.Combine(pipelineDefinition.Source.RepoRoot, "runs", pipelineDefinition.Name), logger, time);
        // A night's refresh can ask an LLM for hours: its log shows each computed stage and a running
        // stage's progress every half minute (the CLI's lines, through the logger).
        var progress = new ProgressHeartbeat(text => logger.LogInformation("{Pipeline}: {Progress}", pipeline, text), time, ProgressHeartbeat.DefaultEvery);
        var run = await new PipelineRunner(store, logger).RunAsync(plan, outputs, progress, cancellationToken).ConfigureAwait(false);
        return new RefreshOutcome(pipeline, run.Succeeded,
            run.Stages.Count(s => s.Status == StageStatus.Computed), run.Stages.Count(s => s.Status == StageStatus.Cached),
            time.GetElapsedTime(started).TotalSeconds, run.FirstError?.Message);
    }

    /// <summary>What would stop <paramref name="pipeline"/> from being refreshed up to <paramref name="until"/>
    /// (no such pipeline, a file that does not load, a stage it does not have), or null. The host checks
    /// every configured pipeline at start: a mistake there would otherwise fail every night, unseen.</summary>
    public async Task<Error?> CheckAsync(string pipeline, string until, CancellationToken cancellationToken) =>
        (await PlanAsync(pipeline, until, cancellationToken).ConfigureAwait(false)).Case as Error;

    async Task<Fin<(PipelineDefinition Definition, PipelinePlan Plan)>> PlanAsync(string pipeline, string until, CancellationToken cancellationToken)
    {
        var catalog = ProductCatalog.Create(FileDatasetSource.Instance, IntentServices.Default with
        {
            CacheRoot = settings.CacheRoot,
            Environment = environment,
            Time = time,
        });
        var definition = from source in PipelineLocator.Resolve(pipeline, settings.RepositoryRoot, settings.RepositoryRoot)
                         from loaded in PipelineLoader.LoadFile(source, catalog).ToFin()
                         select loaded;
        if (definition.Case is Error invalid) return invalid;
        var pipelineDefinition = (PipelineDefinition)definition.Case;
        var plan = await PipelinePlanner.PlanAsync(pipelineDefinition, new PlanOptions(until) { UntilSource = $"{RefreshOptions.Section}:Until" }, new FileFingerprints(), cancellationToken).ConfigureAwait(false);
        return plan.Map(p => (pipelineDefinition, p));
    }
}

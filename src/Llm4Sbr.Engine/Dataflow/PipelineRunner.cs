using System.Collections.Immutable;
using System.Diagnostics;
using System.Threading.Tasks.Dataflow;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Keys;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Runs;
using Llm4Sbr.Engine.Stages;
using Microsoft.Extensions.Logging;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Engine.Dataflow;

/// <summary>Runs a <see cref="PipelinePlan"/> as a TPL Dataflow graph. Per stage:
/// <code>
///   inputs' BroadcastBlocks ─► BatchBlock (one slot per input) ─► TransformBlock "stage" ─► BroadcastBlock
/// </code>
/// Each block is bounded (one message per run) and named after its stage. A stage starts when all
/// its inputs have produced their outcome, so independent branches run in parallel. A stage block
/// takes its key's lock (<see cref="MemoStore.LockAsync"/>: another process computing the same stage
/// on the same cache is waited for, then its entry is used), looks up its key in the
/// <see cref="MemoStore"/>; on a verified hit it passes on a handle that
/// loads the output only if a downstream stage asks for it; otherwise it resolves its inputs (from
/// memory or the cache), runs, stores the output atomically and passes it on in memory. A failing
/// stage faults its block; the fault reaches every dependant, which faults in turn with an error
/// naming the failed input. The run never throws for a stage's failure: it returns a report.
/// A stage is keyed when its block starts, from its inputs' outcomes (<see cref="PlannedStage.KeyedFrom"/>):
/// the key the planner computed, or, for a reader of a content-keyed stage that had to run, the key from
/// the output hash that run stored; then it is looked up like any other.</summary>
public sealed class PipelineRunner(MemoStore store, ILogger logger)
{
    public async Task<RunResult> RunAsync(PipelinePlan plan, RunOutputs? outputs, IProgress<StageEvent>? events, CancellationToken ct)
    {
        var run = new Run(store, outputs, events ?? new Progress<StageEvent>(), logger, ct);
        var graph = new Dictionary<string, (TransformBlock<StageOutcome[], StageOutcome> Transform, BroadcastBlock<StageOutcome> Broadcast)>();
        var results = new BufferBlock<StageOutcome>();
        var roots = new List<TransformBlock<StageOutcome[], StageOutcome>>();

        foreach (var stage in plan.Stages)
        {
            var transform = new TransformBlock<StageOutcome[], StageOutcome>(
                inputs => run.ExecuteAsync(stage, inputs),
                new ExecutionDataflowBlockOptions
                {
                    BoundedCapacity = 1, MaxDegreeOfParallelism = 1, CancellationToken = ct, NameFormat = stage.Name,
                });
            var broadcast = new BroadcastBlock<StageOutcome>(o => o,
                new DataflowBlockOptions { BoundedCapacity = 1, NameFormat = stage.Name + "-output" });
            transform.LinkTo(broadcast, new DataflowLinkOptions { PropagateCompletion = true });
            broadcast.LinkTo(results);

            var inputs = stage.InputNames;
            if (inputs.IsEmpty)
            {
                roots.Add(transform);
            }
            else
            {
                var gather = new BatchBlock<StageOutcome>(inputs.Length,
                    new GroupingDataflowBlockOptions { BoundedCapacity = inputs.Length, Greedy = true, NameFormat = stage.Name + "-inputs" });
                foreach (var input in inputs) graph[input].Broadcast.LinkTo(gather);
                gather.LinkTo(transform, new DataflowLinkOptions { PropagateCompletion = true });
                // A BatchBlock fed by several sources cannot use PropagateCompletion (the first
                // source to finish would complete it): complete it when all inputs have, or fault
                // it, naming the inputs that failed.
                var upstream = inputs.Select(i => graph[i]).ToList();
                _ = Task.WhenAll(upstream.Select(u => u.Broadcast.Completion)).ContinueWith(_ =>
                {
                    var failed = inputs.Where(i => graph[i].Transform.Completion.Status != TaskStatus.RanToCompletion).ToList();
                    if (failed.Count == 0) gather.Complete();
                    else ((IDataflowBlock)gather).Fault(new UpstreamFailedException(EngineErrors.UpstreamFailed(stage.Name, failed)));
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            graph[stage.Name] = (transform, broadcast);
        }

        foreach (var root in roots)
        {
            root.Post([]); // declined only if the run is already canceled
            root.Complete();
        }

        // Failures are read per stage below, from each block's completion.
        await Task.WhenAll(graph.Values.Select(b => b.Broadcast.Completion)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        results.Complete();

        var outcomes = new Dictionary<string, StageOutcome>();
        while (results.TryReceive(out var outcome)) outcomes[outcome.Stage.Name] = outcome;

        // A stage that failed or was canceled while it ran has its report, with the time it ran, from then.
        var reports = plan.Stages.Select(stage => outcomes.TryGetValue(stage.Name, out var outcome)
                ? outcome.Report
                : run.ReportOf(stage.Name) ?? FailureReport(stage, graph[stage.Name].Transform.Completion, ct))
            .ToImmutableArray();
        var result = new RunResult(plan.Name, reports,
            outcomes.ToImmutableDictionary(p => p.Key, p => (Func<CancellationToken, Task<object>>)p.Value.GetValueAsync));
        foreach (var report in reports.Where(r => !r.Succeeded && run.ReportOf(r.Name) is null))
            run.Finished(report);
        if (outputs is not null)
        {
            try
            {
                await outputs.WriteSummaryAsync(RunSummaryJson.Build(result).ToJsonString(Memo.MemoManifest.Json), CancellationToken.None).ConfigureAwait(false);
                await outputs.WriteTimingsAsync(TimingsMarkdown.Render(result), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The run's result stands (its stages are in the cache) and its errors must still reach the
                // user: a full disk here would otherwise replace them with its own.
                logger.LogWarning("cannot write the run's run.json and timings.md in {Folder}: {Reason}", outputs.Directory, e.Message);
            }
        }
        return result;
    }

    static StageReport FailureReport(PlannedStage stage, Task completion, CancellationToken ct)
    {
        var exception = completion.Exception?.Flatten().InnerExceptions.FirstOrDefault();
        var (status, error) = exception switch
        {
            UpstreamFailedException u => (StageStatus.Skipped, u.Error),
            StageFailedException f => (StageStatus.Failed, f.Error),
            OperationCanceledException => (StageStatus.Canceled, EngineErrors.Canceled(stage.Name)),
            null when completion.IsCanceled || ct.IsCancellationRequested => (StageStatus.Canceled, EngineErrors.Canceled(stage.Name)),
            null => (StageStatus.Skipped, EngineErrors.StageFailed(stage.Name, "it did not produce an output")),
            _ => (StageStatus.Failed, EngineErrors.StageFailed(stage.Name, exception.Message)),
        };
        return new StageReport(stage.Name, stage.Stage.Version, stage.Key, status, 0, ImmutableSortedDictionary<string, long>.Empty, error);
    }

    /// <summary>The state of one run, shared by its stage blocks.</summary>
    sealed class Run(MemoStore store, RunOutputs? outputs, IProgress<StageEvent> events, ILogger logger, CancellationToken ct)
    {
        readonly System.Collections.Concurrent.ConcurrentDictionary<string, StageReport> _announced = new();

        public StageReport? ReportOf(string stage) => _announced.GetValueOrDefault(stage);

        public void Finished(StageReport report)
        {
            _announced[report.Name] = report;
            events.Report(new StageEvent(report.Name, StageEventKind.Finished, Report: report));
        }

        public async Task<StageOutcome> ExecuteAsync(PlannedStage planned, StageOutcome[] inputs)
        {
            var started = Stopwatch.GetTimestamp();
            events.Report(new StageEvent(planned.Name, StageEventKind.Started));
            var reportedKey = planned.Key;
            try
            {
                if (inputs.Length != planned.InputNames.Length)
                    throw new InvalidOperationException($"received {inputs.Length} of its {planned.InputNames.Length} inputs");
                var byName = inputs.ToImmutableDictionary(i => i.Stage.Name);
                var stage = Keyed(planned, byName);
                reportedKey = stage.Key;
                using var held = await store.LockAsync(stage.Key, stage.Name,
                    () => events.Report(new StageEvent(stage.Name, StageEventKind.Progress, new StageProgress(0, null, "waiting for another process computing it"))),
                    ct).ConfigureAwait(false);

                if (!stage.Planned.Forced)
                {
                    var lookup = await store.LookupAsync(stage.Key, stage.Name, ct).ConfigureAwait(false);
                    if (lookup is MemoLookup.Hit hit)
                    {
                        logger.LogDebug("stage '{Stage}': cached ({Key})", stage.Name, stage.Key.Short);
                        var cached = new StageOutcome(stage.Planned, hit.Entry, true, MemoStore.SecondsSince(started),
                            token => LoadOrRecomputeAsync(stage, hit.Entry, byName, token));
                        return await Publish(cached).ConfigureAwait(false);
                    }
                }
                else
                {
                    logger.LogInformation("stage '{Stage}': forced to recompute", stage.Name);
                }

                var (value, entry) = await ComputeAsync(stage, byName, ct).ConfigureAwait(false);
                var computed = new StageOutcome(stage.Planned, entry, false, MemoStore.SecondsSince(started), _ => Task.FromResult(value));
                return await Publish(computed).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                var error = e is StageFailedException f ? f.Error : EngineErrors.StageFailed(planned.Name, Describe(e));
                // The report carries the error; the shell decides how to show it.
                logger.LogDebug(e, "{Message}", error.Message);
                Finished(new StageReport(planned.Name, planned.Stage.Version, reportedKey, StageStatus.Failed,
                    MemoStore.SecondsSince(started), ImmutableSortedDictionary<string, long>.Empty, error));
                throw new StageFailedException(error, e);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Finished(new StageReport(planned.Name, planned.Stage.Version, reportedKey, StageStatus.Canceled,
                    MemoStore.SecondsSince(started), ImmutableSortedDictionary<string, long>.Empty, EngineErrors.Canceled(planned.Name)));
                throw;
            }
        }

        /// <summary>The stage keyed from its inputs' outcomes (every input has one, so its key is known):
        /// the planner's key, or the one that waited for a content-keyed input's output.</summary>
        static KeyedStage Keyed(PlannedStage stage, ImmutableDictionary<string, StageOutcome> inputs)
        {
            var keyed = stage.KeyedFrom(name =>
            {
                var input = inputs[name].Stage;
                return new(input.Stage, input.Key, OutputContent.Of(inputs[name].Entry.Manifest), input.AwaitedOutputs);
            });
            return keyed.Material is { } material ? new KeyedStage(keyed, material)
                : throw new InvalidOperationException($"its key still waits for {string.Join(", ", keyed.AwaitedOutputs)} after its inputs ran");
        }

        async Task<StageOutcome> Publish(StageOutcome outcome)
        {
            if (outputs is not null)
                await outputs.PublishAsync(outcome.Entry, outcome.Cached, outcome.Seconds, ct).ConfigureAwait(false);
            Finished(outcome.Report);
            return outcome;
        }

        async Task<(object Value, MemoEntry Entry)> ComputeAsync(
            KeyedStage stage, ImmutableDictionary<string, StageOutcome> inputs, CancellationToken token)
        {
            var values = ImmutableDictionary.CreateBuilder<string, object>();
            foreach (var (name, outcome) in inputs)
                values[name] = await outcome.GetValueAsync(token).ConfigureAwait(false);

            var started = Stopwatch.GetTimestamp();
            var progress = new SynchronousProgress<StageProgress>(p => events.Report(new StageEvent(stage.Name, StageEventKind.Progress, p)));
            var context = new StageContext(progress, logger, token) { Parts = new MemoParts(store, stage.Name, logger, recompute: stage.Planned.Forced) };
            var result = await stage.Planned.Stage.RunAsync(new StageInputs(values.ToImmutable()), context).ConfigureAwait(false);
            var value = result.Match(v => v, e => throw new StageFailedException(EngineErrors.StageFailed(stage.Name, e.Message)));
            var seconds = MemoStore.SecondsSince(started);
            logger.LogDebug("stage '{Stage}': computed in {Seconds:F2} s", stage.Name, seconds);
            progress.Report(new StageProgress(0, null, "writing"));
            var entry = await store.WriteAsync(stage.Material, stage.Planned.Stage.Codec, value, seconds, token, context.Measurements.Snapshot()).ConfigureAwait(false);
            return (value, entry);
        }

        /// <summary>Loads a verified entry. If its files verify but do not decode (a codec bug, or
        /// a codec changed without a new id), the entry is not trusted: it is replaced by a
        /// recomputation from the stage's inputs.</summary>
        async Task<object> LoadOrRecomputeAsync(KeyedStage stage, MemoEntry entry,
            ImmutableDictionary<string, StageOutcome> inputs, CancellationToken token)
        {
            string reason;
            try
            {
                var (decoded, problem) = (await stage.Planned.Stage.Codec.ReadAsync(entry.Directory, token).ConfigureAwait(false))
                    .Match(Succ: read => (read, (string?)null), Fail: error => ((object?)null, error.Message));
                if (problem is null) return decoded!;
                reason = problem;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or FormatException
                                          or InvalidOperationException or global::Parquet.ParquetException)
            {
                reason = e.Message;
            }
            logger.LogWarning("{Message}; recomputing", EngineErrors.CacheCorrupt(stage.Name, stage.Key.Short, reason).Message);
            var (value, _) = await ComputeAsync(stage, inputs, token).ConfigureAwait(false);
            return value;
        }

        static string Describe(Exception e) =>
            e is AggregateException { InnerExceptions.Count: 1 } a ? Describe(a.InnerExceptions[0]) : e.Message;
    }
}

/// <summary>A planned stage with the key its inputs' outcomes gave it.</summary>
internal sealed record KeyedStage(PlannedStage Planned, KeyMaterial Material)
{
    public string Name => Planned.Name;
    public StageKey Key { get; } = Material.Key;
}

/// <summary>A stage's outcome as it flows to its dependants: the verified or new cache entry and
/// a handle to the value (held in memory when computed; loaded once, on demand, when cached).</summary>
internal sealed class StageOutcome
{
    readonly Func<CancellationToken, Task<object>> _load;
    readonly object _gate = new();
    Task<object>? _value;

    public StageOutcome(PlannedStage stage, MemoEntry entry, bool cached, double seconds, Func<CancellationToken, Task<object>> load)
    {
        Stage = stage;
        Entry = entry;
        Cached = cached;
        Seconds = seconds;
        _load = load;
        Report = new StageReport(stage.Name, stage.Stage.Version, stage.Key, cached ? StageStatus.Cached : StageStatus.Computed,
            seconds, entry.Manifest.Rows, null)
        {
            Measurements = entry.Manifest.Measurements ?? ImmutableSortedDictionary<string, double>.Empty,
            MeasuredUtc = entry.Manifest.CreatedUtc,
        };
    }

    public PlannedStage Stage { get; }
    public MemoEntry Entry { get; }
    public bool Cached { get; }
    public double Seconds { get; }
    public StageReport Report { get; }

    /// <summary>Loads at most once; a failed load is retried by the next caller.</summary>
    public Task<object> GetValueAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (_value is null || _value.IsFaulted || _value.IsCanceled) _value = _load(ct);
            return _value;
        }
    }
}

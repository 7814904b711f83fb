using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Llm4Sbr.Core.Answers;
using Llm4Sbr.Core.Prompts;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Inference.Llm;

/// <summary>The <c>ollama</c> and <c>openai</c> engines: ask an LLM for every prompt not yet in the
/// response cache, clean the replies, and fall back to the offline answer (flagged) for empty or
/// unusable ones.
/// <para>A run: identical prompt texts are asked once; cached replies are reused (key: engine, model,
/// generation options, prompt hash); the rest are sent with at most <c>MaxConcurrency</c> in flight,
/// spread over the endpoints. A prompt whose retries are exhausted goes back to the end of the queue for
/// a later pass (at most <c>Passes</c>) while the rest proceeds. A failure retrying cannot fix (a 4xx, a
/// malformed reply) stops dispatching: those in flight finish. The run returns <see cref="InferenceFailed"/>
/// only when prompts are unanswered at the end; every reply received is flushed to the cache, so a rerun
/// asks only for what is missing.
/// Cancellation flushes too, then throws <see cref="OperationCanceledException"/>.</para></summary>
public sealed class LlmIntentEngine : IIntentEngine
{
    private readonly string _options;
    private readonly LlmSettings _settings;
    private readonly EndpointPool _pool;
    private readonly ResilientChat _chat;
    private readonly OfflineIntentEngine _offline;
    private readonly string _cacheFolder;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WarningDigest _warnings;
    private readonly IDisposable? _ownedTransport;
    private readonly SemaphoreSlim _cacheOpen = new(1, 1);
    private (ResponseCache Cache, CacheLoadReport Report)? _cache;
    private ImmutableArray<ChatEndpoint>? _checked;

    /// <param name="engine">Label written into answers and the cache key (<c>ollama</c>, <c>openai</c>).</param>
    /// <param name="endpoints">Where to send requests; <see cref="IntentEngines.Create"/> builds them from settings.</param>
    /// <param name="ownedTransport">Disposed with the engine (the shared HTTP client), or null.</param>
    public LlmIntentEngine(string engine, string model, IReadOnlyList<ChatEndpoint> endpoints, LlmSettings settings,
        OfflineIntentEngine offline, string cacheFolder, TimeProvider time, ILogger logger, IDisposable? ownedTransport = null)
    {
        Engine = engine;
        Model = model;
        _settings = settings;
        _options = settings.Generation.Fingerprint();
        _offline = offline;
        _cacheFolder = cacheFolder;
        _time = time;
        _logger = logger;
        _ownedTransport = ownedTransport;
        _pool = new EndpointPool(endpoints, settings.EndpointCooldown, new BreakerOptions(settings.BreakerFailures, settings.BreakerDuration), time, logger);
        _warnings = new WarningDigest(logger, time, WarningDigest.DefaultInterval);
        _chat = new ResilientChat(_pool, model, settings, time, _warnings);
    }

    public string Engine { get; }
    public string Model { get; }
    public string Fingerprint => $"engine={Engine};model={Model};options={_options};cleaning={AnswerCleaner.Version};fallback=({_offline.Fingerprint})";

    public async Task<InferenceOutcome> AnswerAsync(IReadOnlyList<PromptRecord> prompts, IProgress<InferenceProgress>? progress, CancellationToken cancellationToken)
    {
        // Every answer may need the offline fallback: check its views before asking anything.
        var known = _offline.ViewNames.ToHashSet(StringComparer.Ordinal);
        if (prompts.FirstOrDefault(p => !known.Contains(p.View)) is { } orphan)
            return new InferenceFailed(
                new InferenceFailure($"{Engine} {Model}: view '{orphan.View}' (sample {orphan.SampleId}) has no offline fallback rule; the offline engine knows: {string.Join(", ", known.Order(StringComparer.Ordinal))}", [], 0, prompts.Count, _cacheFolder),
                new InferenceStats(Engine, Model, prompts.Count, 0, 0, 0, 0, 0, 0, 0, 0, 0, ImmutableSortedDictionary<string, int>.Empty, null));

        var (cache, cacheReport) = await OpenCacheAsync(cancellationToken).ConfigureAwait(false);

        // Distinct prompt texts in first-appearance order; the first prompt of each names it in failures.
        var firstByHash = new Dictionary<string, PromptRecord>(StringComparer.Ordinal);
        var distinct = new List<PromptRecord>();
        foreach (var p in prompts)
            if (firstByHash.TryAdd(p.Hash, p)) distinct.Add(p);

        var replies = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var toSend = new List<PromptRecord>();
        foreach (var p in distinct)
            if (cache.TryGet(Key(p.Hash), out var raw)) replies[p.Hash] = raw;
            else toSend.Add(p);
        var fromCache = replies.Count;
        progress?.Report(new InferenceProgress(fromCache, distinct.Count, fromCache, 0, 0));
        _logger.LogInformation("{Engine} {Model}: {Distinct} distinct prompts, {Cached} cached, {ToSend} to ask across {Endpoints} endpoint(s) with at most {Concurrency} in flight",
            Engine, Model, distinct.Count, fromCache, toSend.Count, _pool.Endpoints.Count, _settings.MaxConcurrency);

        var failures = new ConcurrentQueue<RequestFailure>();
        var retriesBefore = _chat.Retries;
        var sent = 0;
        if (toSend.Count > 0)
        {
            var unusable = await CheckEndpointsAsync(cancellationToken).ConfigureAwait(false);
            if (unusable is not null)
                return Failed(unusable, [], cache, cacheReport, prompts.Count, distinct.Count, fromCache, 0, 0, 0, toSend.Count);
            try
            {
                sent = await SendAllAsync(toSend, replies, failures, cache, distinct.Count, fromCache, progress, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _warnings.Flush();
            }
        }

        try
        {
            await cache.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            failures.Enqueue(new RequestFailure(cache.Folder, "", -1, "", "cache write failed", e.Message, false, 0));
        }
        cancellationToken.ThrowIfCancellationRequested();

        var received = replies.Count - fromCache;
        var retries = _chat.Retries - retriesBefore;
        if (!failures.IsEmpty)
        {
            var list = failures.ToImmutableArray();
            var unanswered = distinct.Count - replies.Count;
            var stopper = list.FirstOrDefault(f => !f.Transient);
            var when = stopper is null ? $"after {_settings.Passes} pass{(_settings.Passes == 1 ? "" : "es")}" : "when a failure retrying cannot fix stopped the run";
            var message = $"{Engine} {Model}: {unanswered} of {distinct.Count} prompts unanswered {when}, e.g. {stopper ?? list[0]}; {received} replies received in this run are kept in {cache.Folder}; rerun to ask only for the rest";
            return Failed(message, list, cache, cacheReport, prompts.Count, distinct.Count, fromCache, sent, received, retries, distinct.Count - replies.Count);
        }

        return Assemble(prompts, replies, cacheReport, distinct.Count, fromCache, sent, received, retries);
    }

    private InferenceOutcome Assemble(IReadOnlyList<PromptRecord> prompts, ConcurrentDictionary<string, string> replies,
        CacheLoadReport cacheReport, int distinct, int fromCache, int sent, int received, int retries)
    {
        var answers = ImmutableArray.CreateBuilder<Answer>(prompts.Count);
        int ok = 0, empty = 0, unusable = 0, fellBack = 0;
        // Models repeat themselves (the same title for many sessions): clean each distinct reply once.
        var assessedByRaw = new Dictionary<string, CleanedAnswer>(StringComparer.Ordinal);
        foreach (var p in prompts)
        {
            var raw = replies[p.Hash];
            if (!assessedByRaw.TryGetValue(raw, out var assessed)) assessedByRaw[raw] = assessed = AnswerCleaner.Assess(raw);
            if (assessed.Status == AnswerStatus.Ok)
            {
                ok++;
                answers.Add(new Answer(p.SampleId, p.View, p.Hash, Engine, Model, raw, assessed.Text, AnswerStatus.Ok, assessed.Text, Engine, false, null, null));
                continue;
            }
            if (assessed.Status == AnswerStatus.Empty) empty++; else unusable++;
            // The first fallback that fails ends the run (with the stats so far); the others are counted and kept.
            var failed = _offline.Pick(p).Match(
                Succ: pick =>
                {
                    fellBack++;
                    answers.Add(new Answer(p.SampleId, p.View, p.Hash, Engine, Model, raw, assessed.Text, assessed.Status, pick.Title,
                        OfflineIntentEngine.EngineName, true, pick.ItemId, assessed.Issue));
                    return (InferenceFailed?)null;
                },
                Fail: error => new InferenceFailed(new InferenceFailure(
                        $"{Engine} {Model}: sample {p.SampleId} view {p.View}: the reply is {assessed.Status.ToString().ToLowerInvariant()} and the offline fallback failed: {error.Message}",
                        [], received, 0, _cacheFolder),
                    Stats(prompts.Count, distinct, fromCache, sent, received, retries, ok, empty, unusable, fellBack, cacheReport)));
            if (failed is not null) return failed;
        }
        if (fellBack > 0)
            _logger.LogWarning("{Engine} {Model}: {FellBack} of {Prompts} answers were empty or unusable and fell back to the offline answer (flagged in the output)",
                Engine, Model, fellBack, prompts.Count);
        return new InferenceCompleted(answers.MoveToImmutable(),
            Stats(prompts.Count, distinct, fromCache, sent, received, retries, ok, empty, unusable, fellBack, cacheReport));
    }

    /// <summary>A prompt in the queue: its pass (1-based) and the attempts spent on it in earlier passes.</summary>
    private readonly record struct Work(PromptRecord Prompt, int Pass, int EarlierAttempts);

    private async Task<int> SendAllAsync(List<PromptRecord> toSend, ConcurrentDictionary<string, string> replies,
        ConcurrentQueue<RequestFailure> failures, ResponseCache cache, int total, int fromCache,
        IProgress<InferenceProgress>? progress, CancellationToken cancellationToken)
    {
        using var stopDispatch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // One queue for every pass: a prompt that failed goes to its end, behind everything not yet asked.
        var queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
        foreach (var prompt in toSend) queue.Writer.TryWrite(new Work(prompt, 1, 0));
        var unsettled = toSend.Count;
        var running = new List<Task>(toSend.Count);
        var receivedNow = 0;
        var dispatched = 0;

        void Settle()
        {
            if (Interlocked.Decrement(ref unsettled) == 0) queue.Writer.TryComplete();
        }

        async Task AskOneAsync(Work work)
        {
            var prompt = work.Prompt;
            try
            {
                var reply = await _chat.AskAsync(prompt.Text, holdsSlot: true, cancellationToken).ConfigureAwait(false);
                replies[prompt.Hash] = reply.Text;
                await cache.AddAsync(Key(prompt.Hash), reply.Text, reply.Endpoint).ConfigureAwait(false);
                var done = Interlocked.Increment(ref receivedNow);
                progress?.Report(new InferenceProgress(fromCache + done, total, fromCache, done, failures.Count));
                Settle();
            }
            catch (LlmRequestException e) when (e.IsTransient && work.Pass < _settings.Passes && !stopDispatch.IsCancellationRequested)
            {
                _warnings.Log(LogLevel.Warning, $"requeue {e.Endpoint} {e.Kind}",
                    $"{Engine} {Model}: sample {prompt.SampleId} view {prompt.View}: {e.Attempt} attempt(s) failed ({e.Message}); asked again in pass {work.Pass + 1}, after the prompts queued before it");
                queue.Writer.TryWrite(new Work(prompt, work.Pass + 1, work.EarlierAttempts + e.Attempt));
            }
            catch (LlmRequestException e)
            {
                failures.Enqueue(new RequestFailure(e.Endpoint, prompt.Hash, prompt.SampleId, prompt.View, e.Kind, e.Detail, e.IsTransient, work.EarlierAttempts + e.Attempt));
                _warnings.Log(LogLevel.Error, $"failed {e.Endpoint} {e.Kind}",
                    $"{Engine} {Model}: request for sample {prompt.SampleId} view {prompt.View} failed: {e.Message}");
                // Retrying cannot fix it, and the other prompts would fail alike (a key, a model, a protocol).
                if (!e.IsTransient) await stopDispatch.CancelAsync().ConfigureAwait(false);
                Settle();
            }
            catch (IOException e)
            {
                failures.Enqueue(new RequestFailure(cache.Folder, prompt.Hash, prompt.SampleId, prompt.View, "cache write failed", e.Message, false, 0));
                await stopDispatch.CancelAsync().ConfigureAwait(false);
                Settle();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The caller cancelled: what was received is flushed by AnswerAsync.
            }
        }

        try
        {
            await foreach (var work in queue.Reader.ReadAllAsync(stopDispatch.Token).ConfigureAwait(false))
            {
                await _chat.WaitForSlotAsync(stopDispatch.Token).ConfigureAwait(false);
                // A slot released by a failing request can still be granted after the cancellation.
                if (stopDispatch.IsCancellationRequested)
                {
                    _chat.ReleaseSlot();
                    break;
                }
                if (work.Pass == 1) dispatched++;
                running.Add(AskOneAsync(work));
            }
        }
        catch (OperationCanceledException) when (stopDispatch.IsCancellationRequested)
        {
            // Stopped: prompts still queued stay unanswered.
        }
        await Task.WhenAll(running).ConfigureAwait(false);
        return dispatched;
    }

    /// <summary>Runs the endpoints' checks once per engine, all at once, each within <c>CheckTimeout</c>;
    /// endpoints that fail or do not answer are set aside with a warning naming them. Returns a message
    /// when none is left.</summary>
    private async Task<string?> CheckEndpointsAsync(CancellationToken cancellationToken)
    {
        if (_checked is not null) return null;
        var problems = await Task.WhenAll(_pool.Endpoints.Select(e => CheckAsync(e, cancellationToken))).ConfigureAwait(false);
        var good = ImmutableArray.CreateBuilder<ChatEndpoint>();
        foreach (var (endpoint, problem) in _pool.Endpoints.Zip(problems))
        {
            if (problem is null) good.Add(endpoint);
            else _logger.LogWarning("{Engine}: endpoint {Endpoint} is set aside for this run: {Problem}", Engine, endpoint.Name, problem);
        }
        if (good.Count == 0)
            return $"{Engine} {Model}: no usable endpoint: {string.Join("; ", problems)}";
        if (good.Count < problems.Length) _pool.Exclude(good.ToImmutable());
        _checked = good.ToImmutable();
        return null;
    }

    private async Task<string?> CheckAsync(ChatEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.Check is null) return null;
        using var deadline = new CancellationTokenSource(_settings.CheckTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            // WaitAsync: the deadline holds even if a client ignores the token.
            var problem = await endpoint.Check(linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            if (problem is null) _logger.LogInformation("{Engine}: endpoint {Endpoint} serves {Model}", Engine, endpoint.Name, Model);
            return problem;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return $"{endpoint.Name}: no reply within {_settings.CheckTimeout.TotalSeconds:0.###} s to the endpoint check (listing its models); is it hung or overloaded?";
        }
    }

    private InferenceFailed Failed(string message, ImmutableArray<RequestFailure> failures, ResponseCache cache, CacheLoadReport report,
        int prompts, int distinct, int fromCache, int sent, int received, int retries, int unanswered)
    {
        return new InferenceFailed(new InferenceFailure(message, failures, received, unanswered, cache.Folder),
            Stats(prompts, distinct, fromCache, sent, received, retries, 0, 0, 0, 0, report));
    }

    private InferenceStats Stats(int prompts, int distinct, int fromCache, int sent, int received, int retries,
        int ok, int empty, int unusable, int fellBack, CacheLoadReport report) =>
        new(Engine, Model, prompts, distinct, fromCache, sent, received, retries, ok, empty, unusable, fellBack,
            _pool.RepliesByEndpoint().ToImmutableSortedDictionary(StringComparer.Ordinal), report);

    private CacheKey Key(string promptHash) => new(Engine, Model, _options, promptHash);

    private async Task<(ResponseCache, CacheLoadReport)> OpenCacheAsync(CancellationToken cancellationToken)
    {
        await _cacheOpen.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _cache ??= await ResponseCache.OpenAsync(_cacheFolder, _settings.CacheBatchSize, _settings.CacheFlushInterval, _time, _logger, cancellationToken).ConfigureAwait(false);
            return _cache.Value;
        }
        finally
        {
            _cacheOpen.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cache is { } c) await c.Cache.FlushAsync().ConfigureAwait(false);
        _ownedTransport?.Dispose();
        _cacheOpen.Dispose();
    }
}

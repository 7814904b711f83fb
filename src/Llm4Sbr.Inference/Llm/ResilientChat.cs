using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Llm4Sbr.Inference.Llm;

/// <summary>A reply and where it came from.</summary>
internal sealed record ChatReply(string Text, string Endpoint, int Attempts);

/// <summary>Sends one prompt as one user message: each attempt takes one of <c>MaxConcurrency</c> slots and an
/// endpoint from the pool, and has its own timeout; transient failures are retried (Polly, exponential
/// backoff with seeded jitter), possibly on another endpoint. The backoff holds no slot. When every
/// endpoint's circuit is open the attempt fails at once and the next one waits until a circuit lets a
/// trial through. The last failure surfaces as <see cref="LlmRequestException"/>.</summary>
internal sealed class ResilientChat
{
    private readonly EndpointPool _pool;
    private readonly ChatOptions _options;
    private readonly bool _stream;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _longestWait;
    private readonly TimeProvider _time;
    private readonly WarningDigest _warnings;
    private readonly ResiliencePipeline _pipeline;
    private readonly SemaphoreSlim _slots;
    private int _retries;

    public ResilientChat(EndpointPool pool, string model, LlmSettings settings, TimeProvider time, WarningDigest warnings)
    {
        _pool = pool;
        _stream = settings.Stream;
        _timeout = settings.RequestTimeout;
        _longestWait = settings.RetryMaxDelay;
        _time = time;
        _warnings = warnings;
        _slots = new SemaphoreSlim(settings.MaxConcurrency, settings.MaxConcurrency);
        _options = new ChatOptions
        {
            ModelId = model,
            Temperature = settings.Generation.Temperature,
            MaxOutputTokens = settings.Generation.MaxOutputTokens,
            Seed = settings.Generation.Seed,
            TopP = settings.Generation.TopP,
        };
        var random = new Random(settings.JitterSeed);
        var randomGate = new Lock();
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        // Polly wants at least one retry in a retry strategy; max_retries = 0 means a plain single attempt.
        if (settings.MaxRetries > 0)
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<LlmRequestException>(e => e.IsTransient),
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
                MaxDelay = settings.RetryMaxDelay,
                Randomizer = () => { lock (randomGate) return random.NextDouble(); },
                // Every circuit open: ask again when the first lets a trial through, not sooner; a server that
                // said when to come back (Retry-After) is asked again then, at most RetryMaxDelay later.
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Exception is LlmRequestException { RetryAfter: { } after } ? after : null),
                OnRetry = args =>
                {
                    Interlocked.Increment(ref _retries);
                    var failure = args.Outcome.Exception as LlmRequestException;
                    _warnings.Log(LogLevel.Warning, $"retry {failure?.Endpoint} {failure?.Kind}",
                        $"LLM request attempt {args.AttemptNumber + 1} failed ({args.Outcome.Exception?.Message}); retrying in {args.RetryDelay}");
                    return default;
                },
            });
        _pipeline = builder.Build();
    }

    public int Retries => Volatile.Read(ref _retries);

    /// <summary>Waits for a free slot, which the caller hands to <see cref="AskAsync"/> (<c>holdsSlot</c>).</summary>
    public Task WaitForSlotAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    public void ReleaseSlot() => _slots.Release();

    /// <param name="holdsSlot">The caller took a slot (<see cref="WaitForSlotAsync"/>) for the first attempt;
    /// it is released after that attempt, whatever happens.</param>
    public async Task<ChatReply> AskAsync(string prompt, bool holdsSlot, CancellationToken cancellationToken)
    {
        var attempts = 0;
        var heldSlot = holdsSlot ? 1 : 0;
        var messages = new[] { new ChatMessage(ChatRole.User, prompt) };
        try
        {
            return await _pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                if (Interlocked.Exchange(ref heldSlot, 0) == 0) await _slots.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    var (text, endpoint) = await AttemptAsync(messages, attempts, token).ConfigureAwait(false);
                    return new ChatReply(text, endpoint, attempts);
                }
                finally
                {
                    _slots.Release();
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.Exchange(ref heldSlot, 0) == 1) _slots.Release();
        }
    }

    private async ValueTask<(string Text, string Endpoint)> AttemptAsync(ChatMessage[] messages, int attempt, CancellationToken token)
    {
        var grant = _pool.Acquire();
        if (grant.Lease is not { } lease)
            throw new LlmRequestException(grant.Endpoint, "circuit open", grant.Reason, true, attempt, retryAfter: grant.RetryAfter);
        var name = lease.Endpoint.Name;
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
        var succeeded = false;
        string? failure = null;
        var transient = false;
        TimeSpan? serverAskedWait = null;
        try
        {
            // WaitAsync: some clients read a streamed body without the token, so a server that stalls
            // mid-reply would otherwise outlive the timeout.
            var text = await ReplyTextAsync(lease.Endpoint.Client, messages, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            succeeded = true;
            return (text ?? "", name);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            transient = true;
            failure = $"timed out: no complete reply within {_timeout.TotalSeconds:0.###} s";
            throw new LlmRequestException(name, "timed out", $"no complete reply within {_timeout.TotalSeconds:0.###} s", true, attempt, e);
        }
        catch (Exception e) when (e is not LlmRequestException && !token.IsCancellationRequested)
        {
            var (kind, detail, isTransient) = FailureClassifier.Classify(e);
            detail = lease.Endpoint.Redact(detail);
            transient = isTransient;
            failure = $"{kind}: {detail}";
            if (isTransient && FailureClassifier.ServerAskedWait(e) is { } wait)
                serverAskedWait = wait < _longestWait ? wait : _longestWait;
            throw new LlmRequestException(name, kind, detail, isTransient, attempt, e, serverAskedWait);
        }
        finally
        {
            _pool.Release(lease, succeeded, transient, failure, serverAskedWait);
        }
    }

    private async Task<string> ReplyTextAsync(IChatClient client, ChatMessage[] messages, CancellationToken token) =>
        _stream
            ? await StreamAsync(client, messages, token).ConfigureAwait(false)
            : (await client.GetResponseAsync(messages, _options.Clone(), token).ConfigureAwait(false)).Text;

    // A complete stream ends with a finish reason (OpenAI) or a "done" message carrying usage (Ollama);
    // without one the body was not this API's stream (an HTML error page, a proxy) or it was cut off.
    private async Task<string> StreamAsync(IChatClient client, ChatMessage[] messages, CancellationToken token)
    {
        var text = new StringBuilder();
        var finished = false;
        // A copy per request: clients may adjust the options they are given.
        await foreach (var update in client.GetStreamingResponseAsync(messages, _options.Clone(), token).ConfigureAwait(false))
        {
            text.Append(update.Text);
            finished |= update.FinishReason is not null || update.Contents.Any(c => c is UsageContent);
        }
        if (!finished) throw new IncompleteStreamException();
        return text.ToString();
    }
}

/// <summary>A streamed reply that ended without the API's completion marker.</summary>
internal sealed class IncompleteStreamException() : Exception("the streamed reply ended without a completion marker (not this API's stream, or cut off)");

using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Inference.Llm;

/// <summary>When an endpoint's circuit opens and what it lets through then.</summary>
internal sealed record BreakerOptions(int Failures, TimeSpan Duration);

/// <summary>Spreads requests over endpoints: the least busy endpoint (fewest requests in flight) wins,
/// ties go round-robin. An endpoint whose last attempt failed transiently sits out a cooldown
/// (doubling per consecutive failure, at most 16 times the base) while another endpoint is available;
/// when all are cooling down the one that recovers first is used.
/// <para>Circuit breaker, per endpoint: <see cref="BreakerOptions.Failures"/> consecutive transient failures
/// open its circuit for <see cref="BreakerOptions.Duration"/>: no request goes there meanwhile. Then one
/// trial request is let through: success closes the circuit, failure opens it again. When every usable
/// endpoint's circuit is open, <see cref="Acquire"/> grants nothing and says when to ask again.</para>
/// Thread-safe.</summary>
internal sealed class EndpointPool
{
    private readonly ChatEndpoint[] _endpoints;
    private readonly int[] _inFlight;
    private readonly int[] _consecutiveFailures;
    private readonly long[] _coolUntilTicks;
    private readonly long[] _openUntilTicks;
    private readonly bool[] _trialInFlight;
    private readonly string?[] _lastFailure;
    private readonly int[] _replies;
    private readonly bool[] _excluded;
    private readonly TimeSpan _cooldown;
    private readonly BreakerOptions _breaker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private int _nextStart;

    public EndpointPool(IReadOnlyList<ChatEndpoint> endpoints, TimeSpan cooldown, BreakerOptions breaker, TimeProvider time, ILogger logger)
    {
        if (endpoints.Count == 0) throw new ArgumentException("at least one endpoint is needed", nameof(endpoints));
        _endpoints = [.. endpoints];
        _inFlight = new int[_endpoints.Length];
        _consecutiveFailures = new int[_endpoints.Length];
        _coolUntilTicks = new long[_endpoints.Length];
        _openUntilTicks = new long[_endpoints.Length];
        _trialInFlight = new bool[_endpoints.Length];
        _lastFailure = new string?[_endpoints.Length];
        _replies = new int[_endpoints.Length];
        _excluded = new bool[_endpoints.Length];
        _cooldown = cooldown;
        _breaker = breaker;
        _time = time;
        _logger = logger;
    }

    public IReadOnlyList<ChatEndpoint> Endpoints => _endpoints;

    public readonly record struct Lease(int Index, ChatEndpoint Endpoint, bool Trial);

    /// <summary>A lease, or (every circuit open) no lease, how long until one may let a trial through, and why.</summary>
    public readonly record struct Grant(Lease? Lease, TimeSpan RetryAfter, string Endpoint, string Reason);

    public Grant Acquire()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var start = _nextStart;
            _nextStart = (_nextStart + 1) % _endpoints.Length;
            // A circuit whose break is over gets its one trial request first, even while others are healthy.
            var best = -1;
            for (var i = 0; i < _endpoints.Length && best < 0; i++)
                if (!_excluded[i] && _openUntilTicks[i] != 0 && _openUntilTicks[i] <= now && !_trialInFlight[i]) best = i;
            var trial = best >= 0;
            for (var k = 0; k < _endpoints.Length && !trial; k++)
            {
                var i = (start + k) % _endpoints.Length;
                if (_excluded[i] || _openUntilTicks[i] != 0 || _coolUntilTicks[i] > now) continue;
                if (best < 0 || _inFlight[i] < _inFlight[best]) best = i;
            }
            if (best < 0)
                for (var i = 0; i < _endpoints.Length; i++)
                    if (!_excluded[i] && _openUntilTicks[i] == 0 && (best < 0 || _coolUntilTicks[i] < _coolUntilTicks[best])) best = i;
            if (best < 0) return Refusal(now);
            if (trial) _trialInFlight[best] = true;
            _inFlight[best]++;
            return new Grant(new Lease(best, _endpoints[best], trial), TimeSpan.Zero, _endpoints[best].Name, "");
        }
    }

    // Every usable circuit is open (or its trial is under way): wait for the first to reopen, at least the cooldown.
    private Grant Refusal(long now)
    {
        var first = -1;
        for (var i = 0; i < _endpoints.Length; i++)
            if (!_excluded[i] && (first < 0 || _openUntilTicks[i] < _openUntilTicks[first])) first = i;
        var wait = _time.GetElapsedTime(now, Math.Max(_openUntilTicks[first], now));
        if (wait < _cooldown) wait = _cooldown;
        return new Grant(null, wait, _endpoints[first].Name,
            $"circuit open after {_breaker.Failures} or more failures in a row (last: {_lastFailure[first]}); next trial in {wait.TotalSeconds:0.###} s");
    }

    /// <summary><paramref name="transientFailure"/>: the attempt failed in a way worth avoiding the endpoint for a
    /// while; <paramref name="failure"/> says how (kept for messages); <paramref name="serverAskedWait"/>: the
    /// server's Retry-After, which the cooldown lasts at least.</summary>
    public void Release(Lease lease, bool succeeded, bool transientFailure, string? failure = null, TimeSpan? serverAskedWait = null)
    {
        lock (_gate)
        {
            var i = lease.Index;
            _inFlight[i]--;
            if (lease.Trial) _trialInFlight[i] = false;
            if (succeeded)
            {
                if (_openUntilTicks[i] != 0)
                    _logger.LogInformation("endpoint {Endpoint}: the trial request succeeded; circuit closed", _endpoints[i].Name);
                _consecutiveFailures[i] = 0;
                _coolUntilTicks[i] = 0;
                _openUntilTicks[i] = 0;
                _replies[i]++;
            }
            else if (transientFailure)
            {
                _consecutiveFailures[i]++;
                _lastFailure[i] = failure;
                var now = _time.GetTimestamp();
                var factor = 1L << Math.Min(_consecutiveFailures[i] - 1, 4);
                var cooldown = _cooldown.TotalSeconds * factor;
                if (serverAskedWait is { } wait && wait.TotalSeconds > cooldown) cooldown = wait.TotalSeconds;
                _coolUntilTicks[i] = now + (long)(cooldown * _time.TimestampFrequency);
                if (lease.Trial || (_openUntilTicks[i] == 0 && _consecutiveFailures[i] >= _breaker.Failures))
                {
                    _openUntilTicks[i] = now + (long)(_breaker.Duration.TotalSeconds * _time.TimestampFrequency);
                    _logger.LogWarning("endpoint {Endpoint} failed {Failures} times in a row (last: {Failure}); circuit open for {Seconds} s: no request goes there until then, then one trial request",
                        _endpoints[i].Name, _consecutiveFailures[i], failure, _breaker.Duration.TotalSeconds);
                }
            }
        }
    }

    /// <summary>Stops using every endpoint not in <paramref name="keep"/> (which must not be empty).</summary>
    public void Exclude(IReadOnlyCollection<ChatEndpoint> keep)
    {
        lock (_gate)
            for (var i = 0; i < _endpoints.Length; i++)
                _excluded[i] = !keep.Contains(_endpoints[i]);
    }

    /// <summary>Replies received per endpoint name.</summary>
    public IReadOnlyDictionary<string, int> RepliesByEndpoint()
    {
        lock (_gate) return _endpoints.Select((e, i) => (e.Name, _replies[i])).ToDictionary(p => p.Name, p => p.Item2);
    }
}

namespace Llm4Sbr.Inference.Llm;

/// <summary>Spreads requests over endpoints: the least busy endpoint (fewest requests in flight) wins,
/// ties go round-robin. An endpoint whose last attempt failed transiently sits out a cooldown
/// (doubling per consecutive failure, at most 16 times the base) while another endpoint is available;
/// when all are cooling down the one that recovers first is used. Thread-safe.</summary>
internal sealed class EndpointPool
{
    private readonly ChatEndpoint[] _endpoints;
    private readonly int[] _inFlight;
    private readonly int[] _consecutiveFailures;
    private readonly long[] _coolUntilTicks;
    private readonly int[] _replies;
    private readonly bool[] _excluded;
    private readonly TimeSpan _cooldown;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private int _nextStart;

    public EndpointPool(IReadOnlyList<ChatEndpoint> endpoints, TimeSpan cooldown, TimeProvider time)
    {
        if (endpoints.Count == 0) throw new ArgumentException("at least one endpoint is needed", nameof(endpoints));
        _endpoints = [.. endpoints];
        _inFlight = new int[_endpoints.Length];
        _consecutiveFailures = new int[_endpoints.Length];
        _coolUntilTicks = new long[_endpoints.Length];
        _replies = new int[_endpoints.Length];
        _excluded = new bool[_endpoints.Length];
        _cooldown = cooldown;
        _time = time;
    }

    public IReadOnlyList<ChatEndpoint> Endpoints => _endpoints;

    public readonly record struct Lease(int Index, ChatEndpoint Endpoint);

    public Lease Acquire()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var start = _nextStart;
            _nextStart = (_nextStart + 1) % _endpoints.Length;
            var best = -1;
            for (var k = 0; k < _endpoints.Length; k++)
            {
                var i = (start + k) % _endpoints.Length;
                if (_excluded[i] || _coolUntilTicks[i] > now) continue;
                if (best < 0 || _inFlight[i] < _inFlight[best]) best = i;
            }
            if (best < 0)
                for (var i = 0; i < _endpoints.Length; i++)
                    if (!_excluded[i] && (best < 0 || _coolUntilTicks[i] < _coolUntilTicks[best])) best = i;
            _inFlight[best]++;
            return new Lease(best, _endpoints[best]);
        }
    }

    /// <summary><paramref name="transientFailure"/>: the attempt failed in a way worth avoiding the endpoint for a while.</summary>
    public void Release(Lease lease, bool succeeded, bool transientFailure)
    {
        lock (_gate)
        {
            var i = lease.Index;
            _inFlight[i]--;
            if (succeeded)
            {
                _consecutiveFailures[i] = 0;
                _coolUntilTicks[i] = 0;
                _replies[i]++;
            }
            else if (transientFailure)
            {
                _consecutiveFailures[i]++;
                var factor = 1L << Math.Min(_consecutiveFailures[i] - 1, 4);
                _coolUntilTicks[i] = _time.GetTimestamp() + (long)(_cooldown.TotalSeconds * factor * _time.TimestampFrequency);
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

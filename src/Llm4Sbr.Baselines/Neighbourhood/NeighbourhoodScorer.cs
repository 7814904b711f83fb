using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Baselines;

/// <summary>The search every session-neighbourhood method shares (session-rec's SKNN family):
/// <list type="number">
/// <item>the distinct items of the current session, each weighted by the position of its last
/// click (<see cref="PrefixItemWeight"/>);</item>
/// <item>candidate sessions: every training session holding one of those items, found through the
/// inverted index item -> sessions, while summing the weights of the shared items per candidate
/// (the weighted overlap) and the latest position of a shared item in the current session;</item>
/// <item>when there are more than <c>SampleSize</c> candidates (and SampleSize &gt; 0), the most
/// recent or a seeded random subset of them;</item>
/// <item>the <c>K</c> candidates of highest positive <see cref="Similarity"/> (ties: the more
/// recent session first);</item>
/// <item>scores: each neighbour adds to the items it holds (<see cref="AddNeighbour"/>).</item>
/// </list>
/// Cost per query is the length of the postings of the session's items plus K neighbour sessions,
/// never a scan of all training sessions. Working memory is rented per call, so it is thread-safe.</summary>
internal abstract class NeighbourhoodScorer : ISessionScorer
{
    private readonly int _k;
    private readonly int _sampleSize;
    private readonly CandidateSampling _sampling;
    private readonly long _seed;
    private readonly ScratchPool<NeighbourhoodScratch> _pool;

    protected NeighbourhoodScorer(SessionIndex index, int k, int sampleSize, CandidateSampling sampling, long seed)
    {
        Index = index;
        (_k, _sampleSize, _sampling, _seed) = (k, sampleSize, sampling, seed);
        _pool = new ScratchPool<NeighbourhoodScratch>(() => new NeighbourhoodScratch(index.Size, index.SessionCount));
    }

    protected SessionIndex Index { get; }

    public int Size => Index.Size;

    /// <summary>Weight of a current-session item whose last click is at 1-based
    /// <paramref name="position"/> of a session of <paramref name="length"/> clicks.</summary>
    protected abstract double PrefixItemWeight(int position, int length);

    /// <summary>Similarity of the current session to training session <paramref name="session"/>,
    /// given the summed weights of their shared items.</summary>
    protected abstract double Similarity(NeighbourhoodScratch query, int session, double weightedOverlap);

    /// <summary>Adds neighbour <paramref name="session"/>'s contribution to the item scores.
    /// <paramref name="latestSharedPosition"/> is the 1-based position in the current session of
    /// the latest click on an item the neighbour also holds.</summary>
    protected abstract void AddNeighbour(NeighbourhoodScratch query, int session, double similarity, int latestSharedPosition, Span<float> scores);

    public void Score(ReadOnlySpan<int> prefix, Span<float> scores)
    {
        if (scores.Length != Size) throw new ArgumentException($"expected {Size} score slots, got {scores.Length}", nameof(scores));
        scores.Clear();
        scores[0] = float.NegativeInfinity;
        if (prefix.IsEmpty) return;
        var query = _pool.Rent();
        try
        {
            query.Begin(prefix);
            CollectCandidates(query);
            var candidates = Sample(query, prefix);
            int count = SelectNeighbours(query, candidates);
            for (int n = 0; n < count; n++)
            {
                int session = query.Neighbours[n];
                AddNeighbour(query, session, query.NeighbourSimilarity[n], query.LatestSharedPosition[session], scores);
            }
        }
        finally
        {
            _pool.Return(query);
        }
    }

    private void CollectCandidates(NeighbourhoodScratch query)
    {
        double squares = 0;
        for (int d = 0; d < query.DistinctCount; d++)
        {
            int item = query.DistinctItems[d];
            int position = query.PrefixLastPosition[item];
            double weight = PrefixItemWeight(position, query.Length);
            squares += weight * weight;
            foreach (int session in Index.SessionsOf(item))
            {
                if (query.SessionStamp[session] != query.Generation)
                {
                    query.SessionStamp[session] = query.Generation;
                    query.Overlap[session] = 0;
                    query.LatestSharedPosition[session] = 0;
                    query.Touched[query.TouchedCount++] = session;
                }
                query.Overlap[session] += weight;
                if (position > query.LatestSharedPosition[session]) query.LatestSharedPosition[session] = position;
            }
        }
        query.SumOfSquaredWeights = squares;
    }

    private Span<int> Sample(NeighbourhoodScratch query, ReadOnlySpan<int> prefix)
    {
        var candidates = query.Touched.AsSpan(0, query.TouchedCount);
        if (_sampleSize <= 0 || candidates.Length <= _sampleSize) return candidates;
        candidates.Sort(); // canonical order: oldest first
        if (_sampling == CandidateSampling.Recent) return candidates[^_sampleSize..];
        var random = CandidateDraws.For(_seed, prefix);
        for (int i = 0; i < _sampleSize; i++) // partial Fisher-Yates: the first SampleSize are the sample
        {
            int j = i + random.NextBelow(candidates.Length - i);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }
        return candidates[.._sampleSize];
    }

    /// <summary>Keeps the K most similar candidates in a min-heap whose root is the weakest kept
    /// one, then lists them best first into the scratch; returns how many.</summary>
    private int SelectNeighbours(NeighbourhoodScratch query, Span<int> candidates)
    {
        var heap = query.Heap;
        heap.Clear();
        foreach (int session in candidates)
        {
            double similarity = Similarity(query, session, query.Overlap[session]);
            if (!(similarity > 0)) continue;
            var key = (similarity, session);
            if (heap.Count < _k) heap.Enqueue(session, key);
            else if (heap.TryPeek(out _, out var weakest) && WeakestFirst.Instance.Compare(key, weakest) > 0)
                heap.EnqueueDequeue(session, key);
        }
        int count = heap.Count;
        for (int n = count - 1; n >= 0; n--)
        {
            heap.TryDequeue(out int session, out var key);
            query.Neighbours[n] = session;
            query.NeighbourSimilarity[n] = key.Similarity;
        }
        return count;
    }

    /// <summary>Orders (similarity, session) weakest first: lower similarity, then the older session.</summary>
    internal sealed class WeakestFirst : IComparer<(double Similarity, int Session)>
    {
        public static readonly WeakestFirst Instance = new();

        public int Compare((double Similarity, int Session) a, (double Similarity, int Session) b) =>
            a.Similarity != b.Similarity ? a.Similarity.CompareTo(b.Similarity) : a.Session.CompareTo(b.Session);
    }
}

/// <summary>Working memory of one neighbourhood query. Arrays are sized once (items, sessions)
/// and never cleared: a slot is valid only when its stamp equals the current generation.</summary>
internal sealed class NeighbourhoodScratch
{
    public NeighbourhoodScratch(int size, int sessionCount)
    {
        ItemStamp = new int[size];
        PrefixLastPosition = new int[size];
        DistinctItems = new int[size];
        SessionStamp = new int[sessionCount];
        Overlap = new double[sessionCount];
        LatestSharedPosition = new int[sessionCount];
        Touched = new int[sessionCount];
        Neighbours = new int[sessionCount];
        NeighbourSimilarity = new double[sessionCount];
        Heap = new PriorityQueue<int, (double, int)>(NeighbourhoodScorer.WeakestFirst.Instance);
    }

    public int Generation { get; private set; }

    /// <summary>Clicks in the current session (with repeats).</summary>
    public int Length { get; private set; }

    /// <summary>Distinct items of the current session, in order of first click.</summary>
    public int DistinctCount { get; private set; }
    public int[] DistinctItems { get; }

    /// <summary>1-based position of the last click on an item in the current session (valid when
    /// <see cref="InSession"/>).</summary>
    public int[] PrefixLastPosition { get; }
    public int[] ItemStamp { get; }
    public double SumOfSquaredWeights { get; set; }

    public int[] SessionStamp { get; }
    public double[] Overlap { get; }
    public int[] LatestSharedPosition { get; }
    public int[] Touched { get; }
    public int TouchedCount { get; set; }
    public int[] Neighbours { get; }
    public double[] NeighbourSimilarity { get; }
    public PriorityQueue<int, (double Similarity, int Session)> Heap { get; }

    public bool InSession(int item) => ItemStamp[item] == Generation;

    public void Begin(ReadOnlySpan<int> prefix)
    {
        if (Generation == int.MaxValue)
        {
            Array.Clear(ItemStamp);
            Array.Clear(SessionStamp);
            Generation = 0;
        }
        Generation++;
        Length = prefix.Length;
        DistinctCount = 0;
        TouchedCount = 0;
        for (int p = 0; p < prefix.Length; p++)
        {
            int item = prefix[p];
            if ((uint)item >= (uint)ItemStamp.Length || item == 0)
                throw new ArgumentOutOfRangeException(nameof(prefix), $"item index {item} is outside 1..{ItemStamp.Length - 1}");
            if (ItemStamp[item] != Generation)
            {
                ItemStamp[item] = Generation;
                DistinctItems[DistinctCount++] = item;
            }
            PrefixLastPosition[item] = p + 1;
        }
    }
}

namespace Llm4Sbr.Core.Localization;

/// <summary>Bounded selection of the k best (similarity, index) pairs of one query row: a binary
/// min-heap over caller-owned spans whose root is the worst pair kept, so a candidate costs one
/// comparison unless it beats the root. "Better" means a higher similarity, ties broken by the
/// lower index.</summary>
internal ref struct TopKSelection
{
    private readonly Span<float> _scores;
    private readonly Span<int> _indices;
    private int _count;

    /// <summary>Resumes a selection over <paramref name="scores"/>/<paramref name="indices"/> (length k)
    /// whose first <paramref name="count"/> entries already form a heap (0 to start afresh).</summary>
    public TopKSelection(Span<float> scores, Span<int> indices, int count = 0)
    {
        _scores = scores;
        _indices = indices;
        _count = count;
    }

    public readonly int Count => _count;

    /// <summary>Candidates scoring below this can be skipped without calling <see cref="Offer"/>.</summary>
    public readonly float Threshold => _count < _scores.Length ? float.NegativeInfinity : _scores[0];

    public static bool Better(float score, int index, float otherScore, int otherIndex) =>
        score > otherScore || (score == otherScore && index < otherIndex);

    public void Offer(float score, int index)
    {
        if (_count < _scores.Length)
        {
            int i = _count++;
            _scores[i] = score; _indices[i] = index;
            SiftUp(i);
        }
        else if (Better(score, index, _scores[0], _indices[0]))
        {
            _scores[0] = score; _indices[0] = index;
            SiftDown(0);
        }
    }

    /// <summary>Sorts the kept pairs best first (in place) once all candidates were offered.</summary>
    public readonly void SortBestFirst()
    {
        // k is small (the paper uses up to 5): an insertion sort beats anything fancier here.
        for (int i = 1; i < _count; i++)
        {
            float s = _scores[i]; int x = _indices[i]; int j = i - 1;
            while (j >= 0 && Better(s, x, _scores[j], _indices[j]))
            {
                _scores[j + 1] = _scores[j]; _indices[j + 1] = _indices[j]; j--;
            }
            _scores[j + 1] = s; _indices[j + 1] = x;
        }
    }

    // Min-heap on "better": a parent is never better than its children.
    private readonly void SiftUp(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Better(_scores[parent], _indices[parent], _scores[i], _indices[i])) return;
            Swap(i, parent);
            i = parent;
        }
    }

    private readonly void SiftDown(int i)
    {
        while (true)
        {
            int left = 2 * i + 1, right = left + 1, worst = i;
            if (left < _count && Better(_scores[worst], _indices[worst], _scores[left], _indices[left])) worst = left;
            if (right < _count && Better(_scores[worst], _indices[worst], _scores[right], _indices[right])) worst = right;
            if (worst == i) return;
            Swap(i, worst);
            i = worst;
        }
    }

    private readonly void Swap(int a, int b)
    {
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        (_indices[a], _indices[b]) = (_indices[b], _indices[a]);
    }
}

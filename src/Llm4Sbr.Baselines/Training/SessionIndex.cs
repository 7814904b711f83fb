namespace Llm4Sbr.Baselines;

/// <summary>Compressed (CSR) views of the training sessions that every neighbourhood method
/// shares: session -> clicks, session -> distinct items (with their last position), and the
/// inverted index item -> sessions (ascending, i.e. oldest first). Built once per fit; read-only
/// afterwards, so scorers share it across threads.</summary>
internal sealed class SessionIndex
{
    public int Size { get; }
    public int SessionCount { get; }

    /// <summary>Distinct items of session s: <c>DistinctItems[DistinctStart[s]..DistinctStart[s+1]]</c>,
    /// in order of first click.</summary>
    public int[] DistinctStart { get; }
    public int[] DistinctItems { get; }

    /// <summary>1-based position of the last click on <c>DistinctItems[j]</c> in its session.</summary>
    public int[] DistinctLastPosition { get; }

    /// <summary>Sessions holding item i: <c>ItemSessions[ItemStart[i]..ItemStart[i+1]]</c>, ascending.</summary>
    public int[] ItemStart { get; }
    public int[] ItemSessions { get; }

    /// <summary>Training clicks per item (repeats within a session count).</summary>
    public int[] ItemClicks { get; }

    public SessionIndex(TrainingSessions training)
    {
        Size = training.Size;
        var sessions = training.Sessions;
        SessionCount = sessions.Length;
        ItemClicks = new int[Size];
        DistinctStart = new int[SessionCount + 1];

        // Pass 1: distinct items per session (a stamp per item avoids clearing a set).
        var seenIn = new int[Size];
        Array.Fill(seenIn, -1);
        var distinct = new List<int>();
        var lastPosition = new List<int>();
        var slotOf = new int[Size];
        for (int s = 0; s < SessionCount; s++)
        {
            DistinctStart[s] = distinct.Count;
            var items = sessions[s];
            for (int p = 0; p < items.Length; p++)
            {
                int item = items[p];
                ItemClicks[item]++;
                if (seenIn[item] != s)
                {
                    seenIn[item] = s;
                    slotOf[item] = distinct.Count;
                    distinct.Add(item);
                    lastPosition.Add(p + 1);
                }
                else lastPosition[slotOf[item]] = p + 1;
            }
        }
        DistinctStart[SessionCount] = distinct.Count;
        DistinctItems = [.. distinct];
        DistinctLastPosition = [.. lastPosition];

        // Pass 2: inverted index by counting sort; sessions are visited in ascending order.
        ItemStart = new int[Size + 1];
        foreach (int item in DistinctItems) ItemStart[item + 1]++;
        for (int i = 0; i < Size; i++) ItemStart[i + 1] += ItemStart[i];
        ItemSessions = new int[DistinctItems.Length];
        var fill = ItemStart[..Size];
        for (int s = 0; s < SessionCount; s++)
            for (int j = DistinctStart[s]; j < DistinctStart[s + 1]; j++)
                ItemSessions[fill[DistinctItems[j]]++] = s;
    }

    public int DistinctCount(int session) => DistinctStart[session + 1] - DistinctStart[session];

    public ReadOnlySpan<int> SessionsOf(int item) => ItemSessions.AsSpan(ItemStart[item], ItemStart[item + 1] - ItemStart[item]);
}

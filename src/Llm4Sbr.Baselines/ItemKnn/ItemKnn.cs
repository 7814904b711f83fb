using LanguageExt;
using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Baselines;

/// <summary>Options of <see cref="ItemKnn"/> (defaults as session-rec's <c>ItemKNN</c>).</summary>
/// <param name="Neighbours">Similar items kept per item (session-rec <c>n_sims</c>, default 100);
/// the others score 0. Keep it at least the largest cut-off.</param>
/// <param name="Lambda">Support regularizer (<c>lmbd</c>, default 20): damps similarities of rare
/// items, whose co-occurrences are mostly incidental.</param>
/// <param name="Alpha">Balance of the two supports in the normalization (default 0.5 = cosine;
/// 1 = confidence of an association rule).</param>
public sealed record ItemKnnOptions(int Neighbours = 100, double Lambda = 20, double Alpha = 0.5)
{
    public static ItemKnnOptions Default { get; } = new();

    public Fin<ItemKnnOptions> Validate() => Checks.Validate(ItemKnn.AlgorithmName, this,
        Checks.AtLeast("neighbours", Neighbours, 1),
        Checks.AtLeast("lambda", Lambda, 0),
        Checks.InRange("alpha", Alpha, 0, 1));

    /// <summary>Keys: <c>neighbours</c>, <c>lambda</c>, <c>alpha</c>.</summary>
    public static Fin<ItemKnnOptions> FromParameters(IReadOnlyDictionary<string, string>? parameters)
    {
        var r = new ParameterReader(ItemKnn.AlgorithmName, parameters);
        var d = Default;
        var options = new ItemKnnOptions(r.Int("neighbours", d.Neighbours), r.Double("lambda", d.Lambda), r.Double("alpha", d.Alpha));
        return r.Finish(() => options).Bind(o => o.Validate());
    }
}

/// <summary>Item-KNN (Hidasi et al.'s baseline, session-rec <c>ItemKNN</c>): the next item is
/// scored by its similarity to the session's last click only. The similarity of items i and j is
/// their co-occurrence in training sessions,
/// <c>sum over sessions of clicks(i) * clicks(j)</c>, divided by
/// <c>(supp_i + lambda)^alpha * (supp_j + lambda)^(1 - alpha)</c> where supp is an item's training
/// clicks; an item is not its own neighbour. Each item keeps its <c>Neighbours</c> most similar
/// items (ties: lower index).</summary>
public sealed class ItemKnn(ItemKnnOptions options) : IBaselineAlgorithm
{
    public const string AlgorithmName = "iknn";
    public const string AlgorithmVersion = "1";

    public ItemKnnOptions Options { get; } = options;
    public string Name => AlgorithmName;
    public string Version => AlgorithmVersion;
    public string Fingerprint => $"{Name} v{Version} {Options}";

    public ISessionScorer Fit(TrainingSessions training, CancellationToken cancellationToken = default)
    {
        Options.Validate().ThrowIfFail();
        var index = new SessionIndex(training);
        int size = training.Size;
        var sessions = training.Sessions;
        var neighbourStart = new int[size + 1];
        var neighbourItems = new List<int>();
        var neighbourSimilarity = new List<float>();

        var cooccurrence = new double[size];
        var touched = new List<int>();
        var support = index.ItemClicks;
        for (int i = 1; i < size; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            neighbourStart[i] = neighbourItems.Count;
            touched.Clear();
            foreach (int s in index.SessionsOf(i))
            {
                var items = sessions[s];
                int clicksOfI = 0;
                foreach (int j in items) if (j == i) clicksOfI++;
                foreach (int j in items)
                {
                    if (cooccurrence[j] == 0) touched.Add(j);
                    cooccurrence[j] += clicksOfI;
                }
            }
            var candidates = new List<(float Similarity, int Item)>(touched.Count);
            double normI = Math.Pow(support[i] + Options.Lambda, Options.Alpha);
            foreach (int j in touched)
            {
                if (j != i)
                {
                    double norm = normI * Math.Pow(support[j] + Options.Lambda, 1 - Options.Alpha);
                    candidates.Add(((float)(cooccurrence[j] / (norm == 0 ? 1 : norm)), j));
                }
                cooccurrence[j] = 0;
            }
            candidates.Sort((a, b) => a.Similarity != b.Similarity ? b.Similarity.CompareTo(a.Similarity) : a.Item.CompareTo(b.Item));
            foreach (var (similarity, j) in candidates.Take(Options.Neighbours))
            {
                neighbourItems.Add(j);
                neighbourSimilarity.Add(similarity);
            }
        }
        neighbourStart[size] = neighbourItems.Count;
        return new Scorer(size, neighbourStart, [.. neighbourItems], [.. neighbourSimilarity]);
    }

    private sealed class Scorer(int size, int[] start, int[] items, float[] similarity) : ISessionScorer
    {
        public int Size => size;

        public void Score(ReadOnlySpan<int> prefix, Span<float> scores)
        {
            scores.Clear();
            scores[0] = float.NegativeInfinity;
            if (prefix.IsEmpty) return;
            int last = prefix[^1];
            for (int n = start[last]; n < start[last + 1]; n++) scores[items[n]] = similarity[n];
        }
    }
}

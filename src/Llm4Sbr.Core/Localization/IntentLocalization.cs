using System.Runtime.InteropServices;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Embeddings;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Localization;

/// <summary>Intent localization (LLM4SBR paper, Eq. 4-5): each query row (the embedding of an LLM
/// answer) is compared by cosine similarity with every item-title embedding; its top-k items are
/// kept and the localized embedding is their similarity-weighted sum, <c>e' = sum_i sim_i * e_i</c>,
/// where <c>e_i</c> are the unit-norm item rows. <c>k = 0</c> keeps the raw query embedding.
/// <para>Rows are expected L2-normalised (as the encoder emits them); rows further than
/// <see cref="RowNorms.UnitTolerance"/> from unit norm are normalised here (items: a normalised copy;
/// queries: while scoring), so similarities are always cosines. An all-zero row has similarity 0
/// with everything.</para>
/// <para>Pure and deterministic: results depend neither on item order (up to index renaming), block
/// sizes nor thread count. Identical query rows are scored once.</para></summary>
public static class IntentLocalization
{
    public const string Version = "1";

    public static Fin<LocalizedIntents> Localize(
        EmbeddingMatrix queries, EmbeddingMatrix items, int topK,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        Localize(queries, items, new LocalizationOptions(topK), progress, cancellationToken);

    /// <summary>Localizes every query row. <paramref name="progress"/> receives the running number of
    /// distinct query rows done, from worker threads (<c>Progress&lt;int&gt;</c> marshals; other
    /// implementations must be thread-safe).</summary>
    public static Fin<LocalizedIntents> Localize(
        EmbeddingMatrix queries, EmbeddingMatrix items, LocalizationOptions options,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var invalid = Validate(queries, items, options);
        if (invalid is not null) return FinFail<LocalizedIntents>(Error.New(invalid));
        int k = options.TopK;
        if (k == 0) return FinSucc(new LocalizedIntents(queries, 0, [], []));
        if (queries.Rows == 0) return FinSucc(new LocalizedIntents(queries, k, [], []));

        var unitItems = RowNorms.EnsureUnitRows(items);
        var panels = ItemPanels.Pack(unitItems);
        var (distinctRows, rowToDistinct) = DistinctRows(queries);
        int distinct = distinctRows.Length;
        int dim = queries.Dim;

        var topIndices = new int[distinct * k];
        var topScores = new float[distinct * k];
        var localized = new float[distinct * dim];
        int blockRows = options.QueryBlockRows;
        int blocks = (distinct + blockRows - 1) / blockRows;
        int done = 0;
        var parallel = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
        };
        Parallel.For(0, blocks, parallel,
            () => new BlockWorkspace(options, dim),
            (block, _, workspace) =>
            {
                int first = block * blockRows;
                int count = Math.Min(blockRows, distinct - first);
                var rows = distinctRows.AsSpan(first, count);
                workspace.ScoreBlock(queries, rows, panels, k);
                for (int r = 0; r < count; r++)
                {
                    int u = first + r;
                    var selected = new TopKSelection(workspace.Scores(r, k), workspace.Indices(r, k), k);
                    selected.SortBestFirst();
                    workspace.Scores(r, k).CopyTo(topScores.AsSpan(u * k, k));
                    workspace.Indices(r, k).CopyTo(topIndices.AsSpan(u * k, k));
                    var target = localized.AsSpan(u * dim, dim);
                    for (int j = 0; j < k; j++)
                        RowNorms.AddScaled(unitItems.Row(topIndices[u * k + j]), topScores[u * k + j], target);
                }
                progress?.Report(Interlocked.Add(ref done, count));
                return workspace;
            },
            _ => { });

        if (distinct == queries.Rows)
            return FinSucc(new LocalizedIntents(new EmbeddingMatrix(queries.Rows, dim, localized), k, topIndices, topScores));
        return FinSucc(Scatter(rowToDistinct, dim, k, localized, topIndices, topScores));
    }

    private static string? Validate(EmbeddingMatrix queries, EmbeddingMatrix items, LocalizationOptions options)
    {
        if (options.TopK < 0) return $"localization top-k must be 0 or more (0 keeps the raw answer embedding), got {options.TopK}";
        if (options.QueryBlockRows < 1) return $"localization QueryBlockRows must be at least 1, got {options.QueryBlockRows}";
        if (options.ItemTilePanels < 1) return $"localization ItemTilePanels must be at least 1, got {options.ItemTilePanels}";
        if (options.MaxDegreeOfParallelism is 0 or < -1) return $"localization MaxDegreeOfParallelism must be -1 (all cores) or at least 1, got {options.MaxDegreeOfParallelism}";
        foreach (var (name, m) in new[] { ("query", queries), ("item", items) })
            if (m.Data.Length != m.Rows * m.Dim)
                return $"{name} matrix holds {m.Data.Length} floats but claims {m.Rows} rows x {m.Dim} dims";
        if (options.TopK == 0) return null;
        if (queries.Dim != items.Dim)
            return $"query embeddings have {queries.Dim} dims but item embeddings have {items.Dim}; both must come from the same encoder";
        if (options.TopK > items.Rows)
            return $"localization top-k = {options.TopK} exceeds the {items.Rows} item embeddings";
        foreach (var (name, m) in new[] { ("query", queries), ("item", items) })
            if (RowNorms.FirstNonFinite(m) is { } at)
                return $"{name} embedding row {at.Row}, dim {at.Column} is {m.Data[at.Row * m.Dim + at.Column]}; embeddings must be finite";
        return null;
    }

    /// <summary>Distinct rows (bitwise) in first-seen order, and each row's position among them.</summary>
    private static (int[] DistinctRows, int[] RowToDistinct) DistinctRows(EmbeddingMatrix m)
    {
        var firstSeen = new Dictionary<int, int>(m.Rows, new BitwiseRowComparer(m));
        var distinct = new List<int>(m.Rows);
        var rowToDistinct = new int[m.Rows];
        for (int r = 0; r < m.Rows; r++)
        {
            if (!firstSeen.TryGetValue(r, out int u))
            {
                u = distinct.Count;
                firstSeen.Add(r, u);
                distinct.Add(r);
            }
            rowToDistinct[r] = u;
        }
        return (distinct.ToArray(), rowToDistinct);
    }

    private static LocalizedIntents Scatter(int[] rowToDistinct, int dim, int k, float[] localized, int[] topIndices, float[] topScores)
    {
        int rows = rowToDistinct.Length;
        var outEmbeddings = new float[rows * dim];
        var outIndices = new int[rows * k];
        var outScores = new float[rows * k];
        for (int r = 0; r < rows; r++)
        {
            int u = rowToDistinct[r];
            localized.AsSpan(u * dim, dim).CopyTo(outEmbeddings.AsSpan(r * dim, dim));
            topIndices.AsSpan(u * k, k).CopyTo(outIndices.AsSpan(r * k, k));
            topScores.AsSpan(u * k, k).CopyTo(outScores.AsSpan(r * k, k));
        }
        return new LocalizedIntents(new EmbeddingMatrix(rows, dim, outEmbeddings), k, outIndices, outScores);
    }

    private sealed class BitwiseRowComparer(EmbeddingMatrix m) : IEqualityComparer<int>
    {
        public bool Equals(int a, int b) => MemoryMarshal.AsBytes(m.Row(a)).SequenceEqual(MemoryMarshal.AsBytes(m.Row(b)));

        public int GetHashCode(int row)
        {
            var hash = new HashCode();
            hash.AddBytes(MemoryMarshal.AsBytes(m.Row(row)));
            return hash.ToHashCode();
        }
    }
}

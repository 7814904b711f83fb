using CsCheck;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Localization;

namespace Llm4Sbr.Core.Tests.Localization;

/// <summary>A random localization problem: small enough for the brute force, with dims that are
/// and are not multiples of the SIMD width, row counts around the 6-row kernel and the block
/// sizes, and both unit-norm and raw rows.</summary>
internal sealed record LocalizationCase(float[][] Queries, float[][] Items, int K, LocalizationOptions Options)
{
    public int Dim => Items[0].Length;

    public EmbeddingMatrix QueryMatrix => ToMatrix(Queries, Dim);

    public EmbeddingMatrix ItemMatrix => ToMatrix(Items, Dim);

    public override string ToString() =>
        $"{Queries.Length} queries x {Items.Length} items x {Dim} dims, k = {K}, blocks {Options.QueryBlockRows}/{Options.ItemTilePanels}";

    public static EmbeddingMatrix ToMatrix(float[][] rows, int dim) =>
        new(rows.Length, dim, rows.SelectMany(r => r).ToArray());

    public static Gen<float[]> Row(int dim, bool unit) =>
        Gen.Float[-1f, 1f].Array[dim].Select(row =>
        {
            double norm = Math.Sqrt(row.Sum(x => (double)x * x));
            // Rows with next to no length have no meaningful direction: make them exactly zero.
            if (norm < 1e-3) return new float[dim];
            return unit ? row.Select(x => (float)(x / norm)).ToArray() : row;
        });

    public static Gen<LocalizationCase> Generator(int maxK = 5) =>
        from dim in Gen.OneOf(Gen.Int[1, 40], Gen.Const(64))
        from itemCount in Gen.Int[1, 60]
        from queryCount in Gen.Int[1, 25]
        from k in Gen.Int[1, Math.Min(maxK, itemCount)]
        from unit in Gen.Bool
        from items in Row(dim, unit).Array[itemCount]
        from queries in Row(dim, unit).Array[queryCount]
        from blockRows in Gen.Int[1, 14]
        from tilePanels in Gen.Int[1, 3]
        from threads in Gen.OneOf(Gen.Const(-1), Gen.Const(1))
        select new LocalizationCase(queries, items, k, new LocalizationOptions(k, blockRows, tilePanels, threads));

    /// <summary>True when no two items are within <paramref name="gap"/> of each other in similarity to
    /// any query: then the top-k is unambiguous even across float rounding.</summary>
    public bool Unambiguous(double gap = 1e-5)
    {
        foreach (var q in Queries)
        {
            var sorted = BruteForceLocalization.Similarities(q, Items).Order().ToArray();
            for (int i = 1; i < sorted.Length; i++)
                if (sorted[i] - sorted[i - 1] < gap) return false;
        }
        return true;
    }
}

namespace Llm4Sbr.Core.Tests.Localization;

/// <summary>The obvious O(queries x items x dim) reference in double precision: cosine of every
/// pair, a full sort (similarity descending, lower index first), the weighted sum of unit item rows.</summary>
internal static class BruteForceLocalization
{
    public static double[] Unit(ReadOnlySpan<float> row)
    {
        double norm = 0;
        foreach (float x in row) norm += (double)x * x;
        norm = Math.Sqrt(norm);
        var unit = new double[row.Length];
        if (norm > 0) for (int i = 0; i < row.Length; i++) unit[i] = row[i] / norm;
        return unit;
    }

    public static double[] Similarities(float[] query, float[][] items)
    {
        var q = Unit(query);
        return items.Select(item =>
        {
            var e = Unit(item);
            double dot = 0;
            for (int d = 0; d < q.Length; d++) dot += q[d] * e[d];
            return dot;
        }).ToArray();
    }

    public static int[] TopK(double[] similarities, int k) =>
        Enumerable.Range(0, similarities.Length)
            .OrderByDescending(i => similarities[i]).ThenBy(i => i)
            .Take(k).ToArray();

    public static double[] WeightedSum(float[][] items, IEnumerable<(int Index, double Weight)> terms, int dim)
    {
        var sum = new double[dim];
        foreach (var (index, weight) in terms)
        {
            var e = Unit(items[index]);
            for (int d = 0; d < dim; d++) sum[d] += weight * e[d];
        }
        return sum;
    }
}

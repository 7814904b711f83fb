using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Localization;

namespace Llm4Sbr.Benchmarks;

/// <summary><c>localize</c>: the Beauty-scale localization of the real stage: 176,139 samples x 2
/// views of answer embeddings against 12,101 item-title embeddings at k = 3, with seeded random
/// unit vectors (no duplicates, so none of the work is saved by de-duplication).</summary>
internal static class LocalizeBenchmark
{
    public static int Run(BenchmarkArgs args)
    {
        int queries = args.Int("queries", 176_139);
        int views = args.Int("views", 2);
        int items = args.Int("items", 12_101);
        int dim = args.Int("dim", 384);
        int k = args.Int("k", 3);
        int repeat = args.Int("repeat", 3);
        var options = new LocalizationOptions(k, args.Int("block", 96), args.Int("tile", 16), args.Int("threads", -1));
        Console.WriteLine($"localize: {views} x {queries:N0} queries x {items:N0} items x {dim} dims, k = {k}, {options}, {Environment.ProcessorCount} cores");

        var itemMatrix = RandomUnitRows(items, dim, seed: 1);
        var viewMatrices = Enumerable.Range(0, views).Select(v => RandomUnitRows(queries, dim, seed: 100 + v)).ToArray();
        var seconds = new List<double>();
        for (int run = 0; run < repeat; run++)
        {
            var (elapsed, cpu) = Measure.Time(() =>
            {
                foreach (var view in viewMatrices)
                    IntentLocalization.Localize(view, itemMatrix, options).IfFail(e => throw new InvalidOperationException(e.Message));
            });
            seconds.Add(elapsed.TotalSeconds);
            double pairs = (double)views * queries * items;
            Console.WriteLine($"  run {run + 1}: {elapsed.TotalSeconds:F2} s ({pairs * dim * 2 / elapsed.TotalSeconds / 1e9:F1} GFLOP/s, {views * queries / elapsed.TotalSeconds:N0} queries/s); CPU {cpu.TotalSeconds:F2} s ({pairs * dim * 2 / cpu.TotalSeconds / 1e9:F1} GFLOP per CPU-s)");
        }
        Console.WriteLine($"localize {views} x {queries:N0} vs {items:N0}, k = {k}: {Measure.Summary(seconds, "s", higherIsBetter: false)}");
        return 0;
    }

    private static EmbeddingMatrix RandomUnitRows(int rows, int dim, int seed)
    {
        var random = new Random(seed);
        var m = EmbeddingMatrix.Create(rows, dim);
        for (int r = 0; r < rows; r++)
        {
            var row = m.Data.AsSpan(r * dim, dim);
            double norm = 0;
            for (int d = 0; d < dim; d++)
            {
                // Box-Muller: Gaussian components make the direction uniform on the sphere.
                double g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                row[d] = (float)g;
                norm += g * g;
            }
            float scale = (float)(1 / Math.Sqrt(norm));
            for (int d = 0; d < dim; d++) row[d] *= scale;
        }
        return m;
    }
}

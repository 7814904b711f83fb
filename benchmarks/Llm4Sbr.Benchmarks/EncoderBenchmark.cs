using Llm4Sbr.Inference.Encoding;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Benchmarks;

/// <summary><c>encoder</c>: titles/s of the default encoder on every Amazon Beauty title, cold (no
/// cache, a fresh encoder each run) and through the Parquet embedding cache once it is warm.</summary>
internal static class EncoderBenchmark
{
    public static int Run(BenchmarkArgs args)
    {
        string path = args.String("items") ?? BeautyTitles.DefaultPath;
        var titles = BeautyTitles.Read(path);
        int limit = args.Int("limit", titles.Count);
        titles = titles.Take(limit).ToArray();
        int repeat = args.Int("repeat", 3);
        var options = new EncoderOptions(
            BatchSize: args.Int("batch", 64),
            MaxTokens: args.Int("max-tokens", 128),
            IntraOpThreads: args.Int("threads", 0),
            MaxBatchTokens: args.Int("batch-tokens", 0),
            Device: Enum.Parse<ExecutionDevice>(args.String("device") ?? "Auto", ignoreCase: true));
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        var logger = loggers.CreateLogger("encoder");
        Console.WriteLine($"encoder: {titles.Count:N0} titles ({titles.Distinct().Count():N0} distinct) from {path}, {options}, {Environment.ProcessorCount} cores");

        if (args.String("token-stats") is not null) PrintTokenStatistics(titles, options);
        var cold = new List<double>();
        var naive = new List<double>();
        bool baseline = args.String("baseline") is not null;
        for (int run = 0; run < repeat; run++)
        {
            if (baseline)
            {
                // Interleaved with the optimised runs, so both see the same machine load.
                using var plain = new NaiveEncoderBaseline(options);
                var (naiveWall, naiveCpu) = Measure.Time(() => plain.Encode(titles));
                naive.Add(titles.Count / naiveWall.TotalSeconds);
                Console.WriteLine($"  naive run {run + 1}: {naiveWall.TotalSeconds:F2} s, {titles.Count / naiveWall.TotalSeconds:F0} titles/s (CPU {naiveCpu.TotalSeconds:F2} s, {titles.Count / naiveCpu.TotalSeconds:F0} titles per CPU-s)");
            }
            using var encoder = TextEncoderFactory.Create(options, run == 0 ? logger : null).Match(e => e, e => throw new InvalidOperationException(e.Message));
            var (wall, cpu) = Measure.Time(() => encoder.Encode(titles));
            cold.Add(titles.Count / wall.TotalSeconds);
            Console.WriteLine($"  cold run {run + 1}: {wall.TotalSeconds:F2} s, {titles.Count / wall.TotalSeconds:F0} titles/s (CPU {cpu.TotalSeconds:F2} s, {titles.Count / cpu.TotalSeconds:F0} titles per CPU-s)");
        }
        if (baseline) Console.WriteLine($"naive baseline: {Measure.Summary(naive, "titles/s", higherIsBetter: true)}");
        Console.WriteLine($"encoder cold: {Measure.Summary(cold, "titles/s", higherIsBetter: true)}");
        if (args.String("no-cache") is not null) return 0;

        string cacheFolder = Path.Combine(Path.GetTempPath(), $"llm4sbr-encoder-bench-{Environment.ProcessId}");
        try
        {
            using (var filling = new CachingTextEncoder(Create(options), new ParquetEmbeddingStore(cacheFolder)))
            {
                var (wall, _) = Measure.Time(() => filling.Encode(titles));
                Console.WriteLine($"  filling the cache: {wall.TotalSeconds:F2} s");
            }
            var warm = new List<double>();
            for (int run = 0; run < repeat; run++)
            {
                // A new store each run: the rerun reads the shards from disk, as a new process would.
                using var cached = new CachingTextEncoder(Create(options), new ParquetEmbeddingStore(cacheFolder));
                var (wall, cpu) = Measure.Time(() => cached.Encode(titles));
                warm.Add(titles.Count / wall.TotalSeconds);
                Console.WriteLine($"  warm run {run + 1}: {wall.TotalSeconds * 1000:F0} ms, {titles.Count / wall.TotalSeconds:F0} titles/s (CPU {cpu.TotalSeconds:F2} s)");
            }
            Console.WriteLine($"encoder warm cache: {Measure.Summary(warm, "titles/s", higherIsBetter: true)}");
        }
        finally
        {
            if (Directory.Exists(cacheFolder)) Directory.Delete(cacheFolder, recursive: true);
        }
        return 0;
    }

    private static void PrintTokenStatistics(IReadOnlyList<string> titles, EncoderOptions options)
    {
        var files = ModelFiles.Load(options).Match(f => f, e => throw new InvalidOperationException(e.Message));
        var tokenizer = WordPieceInputs.Create(files.Vocab, options, files.Source).Match(t => t, e => throw new InvalidOperationException(e.Message));
        var lengths = tokenizer.EncodeAll(titles.Distinct().ToArray(), CancellationToken.None).Select(ids => ids.Length).Order().ToArray();
        int Percentile(double p) => lengths[(int)Math.Min(lengths.Length - 1, p * lengths.Length)];
        Console.WriteLine($"tokens per distinct title ([CLS] and [SEP] included): mean {lengths.Average():F1}, median {Percentile(0.5)}, p90 {Percentile(0.9)}, p99 {Percentile(0.99)}, max {lengths[^1]}; total {lengths.Sum():N0}");
    }

    private static ITextEncoder Create(EncoderOptions options) =>
        TextEncoderFactory.Create(options).Match(e => e, e => throw new InvalidOperationException(e.Message));
}

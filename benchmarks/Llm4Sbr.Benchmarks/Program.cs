using Llm4Sbr.Benchmarks;

// Throughput figures for the encoder, localization and LLM inference against a stand-in server (benchmarks measure speed; tests check behaviour).
var benchmarks = new Dictionary<string, Func<BenchmarkArgs, int>>
{
    ["encoder"] = EncoderBenchmark.Run,
    ["localize"] = LocalizeBenchmark.Run,
    ["infer"] = InferBenchmark.Run,
};
if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project benchmarks/Llm4Sbr.Benchmarks -- <{string.Join("|", benchmarks.Keys)}> [--option value ...]");
    return 2;
}
return run(new BenchmarkArgs(args.Skip(1).ToArray()));

using System.Diagnostics;
using System.Globalization;
using Llm4Sbr.Baselines;
using Llm4Sbr.Baselines.Bench;
using Llm4Sbr.Core.Evaluation;

// Benchmark of the non-neural baselines on the bundled datasets (paper protocols).
// Usage: dotnet run -c Release --project benchmarks/Llm4Sbr.Baselines.Bench --
//          [--data DIR] [--datasets beauty,movielens] [--models pop,spop,...] [--threads N]
//          [--param model.key=value]...   (e.g. --param vstan.remind=false; repeatable)
var arguments = ParseArguments(args);
string dataRoot = arguments.GetValueOrDefault("data") ?? FindDataRoot();
var datasets = (arguments.GetValueOrDefault("datasets") ?? "beauty,movielens").Split(',', StringSplitOptions.RemoveEmptyEntries);
var models = (arguments.GetValueOrDefault("models") ?? string.Join(",", BaselineRegistry.Names)).Split(',', StringSplitOptions.RemoveEmptyEntries);
int threads = int.Parse(arguments.GetValueOrDefault("threads") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
var parameters = ParseParameters(args);

Console.WriteLine($"threads={threads}  processors={Environment.ProcessorCount}  data={dataRoot}");
foreach (var datasetName in datasets)
{
    var clock = Stopwatch.StartNew();
    var data = datasetName switch
    {
        "beauty" => BenchmarkData.Beauty(Path.Combine(dataRoot, "amazon-beauty")),
        "movielens" => BenchmarkData.MovieLens(Path.Combine(dataRoot, "movielens-small")),
        _ => throw new ArgumentException($"unknown dataset '{datasetName}'; valid: beauty, movielens"),
    };
    var training = TrainingSessions.FromSessions(data.Train, data.Vocabulary).ThrowIfFail();
    Console.WriteLine();
    Console.WriteLine($"== {data.Name}: {data.Train.Length} train / {data.Test.Length} test sessions, " +
        $"{data.TrainSamples.Length} train / {data.TestSamples.Length} test samples, {data.Vocabulary.Count} items " +
        $"(loaded in {clock.Elapsed.TotalSeconds:F1} s)");
    Console.WriteLine($"{"model",-8} {"P@5",7} {"P@10",7} {"P@20",7} {"MRR@5",7} {"MRR@10",7} {"MRR@20",7} {"NDCG@5",7} {"NDCG@10",7} {"NDCG@20",7} {"fit s",7} {"eval s",7}");
    foreach (var model in models)
    {
        var algorithm = BaselineRegistry.Create(model, parameters.GetValueOrDefault(model)).ThrowIfFail();
        clock.Restart();
        var scorer = algorithm.Fit(training);
        double fitSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var result = Evaluator.Evaluate(scorer, data.TestSamples, data.Vocabulary, new EvaluationOptions { DegreeOfParallelism = threads });
        double evalSeconds = clock.Elapsed.TotalSeconds;
        var m = result.Metrics;
        Console.WriteLine($"{model,-8} {Pct(m[5].Precision)} {Pct(m[10].Precision)} {Pct(m[20].Precision)} " +
            $"{Pct(m[5].Mrr)} {Pct(m[10].Mrr)} {Pct(m[20].Mrr)} {Pct(m[5].Ndcg)} {Pct(m[10].Ndcg)} {Pct(m[20].Ndcg)} " +
            $"{fitSeconds,7:F2} {evalSeconds,7:F2}" + (result.UnknownTargets > 0 ? $"  ({result.UnknownTargets} unknown targets)" : ""));
    }
}
Console.WriteLine();
Console.WriteLine("metrics in %, full-catalogue ranking, ties pessimistic; " + string.Join("; ", models.Select(m => BaselineRegistry.Create(m, parameters.GetValueOrDefault(m)).ThrowIfFail().Fingerprint)));
return 0;

static string Pct(double x) => (100 * x).ToString("F2", CultureInfo.InvariantCulture).PadLeft(7);

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>();
    for (int i = 0; i + 1 < args.Length; i++)
        if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i] != "--param") result[args[i][2..]] = args[++i];
    return result;
}

static Dictionary<string, Dictionary<string, string>> ParseParameters(string[] args)
{
    var result = new Dictionary<string, Dictionary<string, string>>();
    for (int i = 0; i + 1 < args.Length; i++)
    {
        if (args[i] != "--param") continue;
        var text = args[++i];
        int dot = text.IndexOf('.'), eq = text.IndexOf('=');
        if (dot < 1 || eq < dot) throw new ArgumentException($"--param '{text}': expected model.key=value");
        var model = text[..dot];
        if (!result.TryGetValue(model, out var map)) result[model] = map = [];
        map[text[(dot + 1)..eq]] = text[(eq + 1)..];
    }
    return result;
}

static string FindDataRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (Directory.Exists(Path.Combine(dir.FullName, "data", "amazon-beauty"))) return Path.Combine(dir.FullName, "data");
    throw new DirectoryNotFoundException("no data/amazon-beauty above the program; pass --data DIR");
}

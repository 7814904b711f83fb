// Run: dotnet run -c Release --project tests/Llm4Sbr.Training.Tests/Bench -- [mode=bench|train] [key=value ...]
// mode=bench (default): steps=200 epochs=1 eval=1 models=srgnn,llm4sbr-srgnn threads=N batch=100 fill=random|zero device=auto|cpu|cuda
//   params=key:value,... (model_params for every listed model, e.g. params=item_chunk:2048 models=tagnn,llm4sbr-tagnn)
//   epoch_order=interleaved|sequential
//   times training steps, epochs and the test evaluation on Beauty (random or zero view embeddings).
// mode=gemm: clicks=850 items=12101 hidden=100 reps=20 threads=N
//   the machine's float32 product rate for TAGNN's shapes ([clicks, H] x [H, items]) and the lower bound
//   that rate puts on a TAGNN step (six such products forward and backward, ~12 GFLOP on Beauty).
// mode=target: clicks=5000 sessions=500 items=12101 chunks=2048,1024,512,256 reps=5 grad=0|1
//   TAGNN's target-attention term alone (best of reps) per item chunk: evaluation shapes by default,
//   a training step's with clicks=851 sessions=100 grad=1. A chunk whose [clicks, chunk] block would pass
//   TargetAttention.BlockFloats is cut to fit, as in the model; each line says the chunk taken.
// mode=graphs: times the graphs stage's builders (GCE-GNN's global graph, DHCN's hypergraph) on Beauty's training samples.
// mode=spmm: reps=20 dim=100 threads=N: times DHCN's sparse product (SparseRows.Multiply) with Beauty's hypergraph
//   adjacency and its transpose, as one convolution layer forward and backward.
// mode=starts: models=gcegnn seeds=1,2,3,42,43,44 steps=400 every=100 params=readout_init:positive
//   per seed, GCE-GNN's initial click weight and the mean loss of each `every` training steps (CPU).
// mode=train: models=srgnn seeds=3 seed=1 epochs=30 patience=5 threads=N device=...
//   (seeds seed, seed+1, ...; several processes with different seed= share one GPU)
//   trains on Beauty with the validation protocol and prints per-seed results and mean/std (accuracy).
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Benchmarks;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Tests.Support;
using Llm4Sbr.Training.Fitting;
using Microsoft.Extensions.Logging;

TorchRuntime.PreferPassiveThreadWaiting(); // before any torch call
var settings = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
string Get(string key, string fallback) => settings.TryGetValue(key, out var v) ? v : fallback;
// The kernel modes' start: MKL's kernels, then the thread count asked for.
void PrepareTorch()
{
    var kernels = TorchRuntime.Prepare();
    Console.Error.WriteLine($"torch runtime: {kernels.Outcome}, {kernels.Detail}");
    TorchDevices.SetThreads(settings.TryGetValue("threads", out var count) ? int.Parse(count) : null);
}
var json = new JsonSerializerOptions { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };
if (Get("mode", "bench") == "gemm")
{
    PrepareTorch();
    long clicks = long.Parse(Get("clicks", "850")), items = long.Parse(Get("items", "12101")), hidden = long.Parse(Get("hidden", "100"));
    int reps = int.Parse(Get("reps", "20"));
    using var scope = TorchSharp.torch.NewDisposeScope();
    var q = TorchSharp.torch.randn(clicks, hidden);
    var table = TorchSharp.torch.randn(items, hidden);
    // Into one output: a fresh [850, 12101] one each time (41 MB, past glibc's largest threshold for
    // reusing freed memory) would time the page faults of mapping it (~0.1 s here), not the product.
    var output = TorchSharp.torch.empty(clicks, items);
    for (int r = 0; r < 5; r++) output.addmm_(q, table.t(), 0, 1);                  // warm-up
    var clock = System.Diagnostics.Stopwatch.StartNew();
    for (int r = 0; r < reps; r++) output.addmm_(q, table.t(), 0, 1);
    double seconds = clock.Elapsed.TotalSeconds / reps;
    double gflop = 2.0 * clicks * hidden * items / 1e9;
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        Shape = $"[{clicks},{hidden}] x [{hidden},{items}]", MsPerProduct = seconds * 1e3, Gflops = gflop / seconds,
        TagnnStepLowerBoundMs = 6 * seconds * 1e3, TagnnStepGflop = 6 * gflop,
    }, json));
    return;
}
if (Get("mode", "bench") == "target")
{
    PrepareTorch();
    long clicks = long.Parse(Get("clicks", "5000")), sessions = long.Parse(Get("sessions", "500")), items = long.Parse(Get("items", "12101"));
    int reps = int.Parse(Get("reps", "5"));
    bool grad = Get("grad", "0") != "0";
    using var scope = TorchSharp.torch.NewDisposeScope();
    var h = TorchSharp.torch.randn(clicks, 100).requires_grad_(grad);
    var q = TorchSharp.torch.randn(clicks, 100).requires_grad_(grad);
    var table = TorchSharp.torch.randn(items, 100).requires_grad_(grad);
    var owners = TorchSharp.torch.tensor(Enumerable.Range(0, (int)clicks).Select(i => (long)i * sessions / clicks).ToArray());
    foreach (var chunk in Get("chunks", "2048,1024,512,256").Split(',').Select(int.Parse))
    {
        double Once()
        {
            using var inner = TorchSharp.torch.NewDisposeScope();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using (grad ? null : TorchSharp.torch.no_grad())
            {
                var scores = Llm4Sbr.Training.Models.Backbones.TargetAttention.Scores(h, q, owners, sessions, table, chunk);
                if (grad) scores.sum().backward();
            }
            return clock.Elapsed.TotalSeconds;
        }
        Once();
        double seconds = Enumerable.Range(0, reps).Select(_ => Once()).Min();
        double gflop = (grad ? 6 : 2) * 2.0 * clicks * 100 * items / 1e9;
        // Scores bounds the chunk by the clicks (TargetAttention.ChunkFor): say which it took.
        Console.WriteLine($"chunk {chunk} (takes {Llm4Sbr.Training.Models.Backbones.TargetAttention.ChunkFor(clicks, chunk)}): {seconds * 1e3:F1} ms ({gflop / seconds:F0} GFLOPS over the {(grad ? 6 : 2)} products), clicks {clicks}, sessions {sessions}, grad {grad}");
    }
    return;
}
int? threads = settings.TryGetValue("threads", out var t) ? int.Parse(t) : null;
var device = TorchDevices.Parse(Get("device", "auto")).Match(x => x, err => throw new ArgumentException(err.Message));
using var factory = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
var logger = factory.CreateLogger("bench");
var beauty = BeautySamples.Load();
logger.LogInformation("Beauty: {Train} train / {Test} test samples, {Items} items", beauty.Train.Length, beauty.Test.Length, beauty.Vocabulary.Count);

if (Get("mode", "bench") == "graphs")
{
    foreach (var options in new[] { new Llm4Sbr.Training.Graphs.GraphsOptions(new(), false), new Llm4Sbr.Training.Graphs.GraphsOptions(null, true) })
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var graphs = TrainingBenchmark.Graphs(beauty.Train, options);
        logger.LogInformation("graphs {Needs}: {Seconds:F2} s; global items {Global}, hyperedges {Edges}, adjacency entries {Entries}", options.Needs,
            clock.Elapsed.TotalSeconds, graphs.Global?.Items.Length ?? 0, graphs.Hypergraph?.Edges.Length ?? 0, graphs.Hypergraph?.Adjacency.NonZeros ?? 0);
    }
    return;
}

if (Get("mode", "bench") == "spmm")
{
    PrepareTorch();
    var hypergraph = TrainingBenchmark.Graphs(beauty.Train, new Llm4Sbr.Training.Graphs.GraphsOptions(null, true)).Hypergraph!;
    using var coo = hypergraph.Adjacency.ToSparseCoo();
    var rows = Llm4Sbr.Training.Models.Backbones.SparseRows.Of(coo);
    int dim = int.Parse(Get("dim", "100")), reps = int.Parse(Get("reps", "20"));
    using var x = TorchSharp.torch.randn(rows.Size, dim, generator: new TorchSharp.torch.Generator(7));
    using var y = TorchSharp.torch.empty(rows.Size, dim);
    int workers = TorchSharp.torch.get_num_threads();
    Llm4Sbr.Training.Models.Backbones.SparseRows[] operators = [rows, rows.Transpose()];
    string[] names = ["A", "A^T"];
    for (int o = 0; o < operators.Length; o++)
    {
        var matrix = operators[o];
        // Warm-up: past the JIT's tiering (a method is recompiled optimised after 30 calls), which
        // otherwise lands inside the timed calls.
        for (int w = 0; w < 40; w++) matrix.Multiply(x, y, dim, null, workers);
        var times = Enumerable.Range(0, reps).Select(_ =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            matrix.Multiply(x, y, dim, null, workers);
            return clock.Elapsed.TotalMilliseconds;
        }).Order().ToList();
        // A digest of the product's bits: a kernel that changes any of them changes DHCN's results.
        var digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(y.bytes))[..16];
        logger.LogInformation("spmm {Name}: {Entries} entries, [{Size}, {Dim}], {Threads} threads: min {Min:F2} ms, median {Median:F2} ms; product digest {Digest}",
            names[o], matrix.Values.Length, matrix.Size, dim, workers, times[0], times[times.Count / 2], digest);
    }
    return;
}

if (Get("mode", "bench") == "starts")
{
    // How a model's start decides its first steps: per seed, GCE-GNN's initial click weight
    // (w_2' sigmoid(b_glu1), see GceGnnBackbone) and the mean training loss of each `every` steps.
    var data = TrainingData.Build(beauty.Train, beauty.Test, beauty.Vocabulary, [], ValidationOptions.Default)
        .Match(d => d, err => throw new InvalidOperationException(err.Message));
    var spec = ModelRegistry.Find(Get("models", "gcegnn")).Match(x => x, err => throw new ArgumentException(err.Message));
    var graphs = TrainingBenchmark.Graphs(beauty.Train, new Llm4Sbr.Training.Graphs.GraphsOptions(new(), false))
        .ForVocabulary(beauty.Vocabulary).Match(g => g, err => throw new InvalidOperationException(err.Message));
    var modelOptions = ModelOptions.Default with
    {
        Parameters = new ModelParameters(Get("params", "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(':', 2)).ToImmutableSortedDictionary(p => p[0], p => p[1], StringComparer.Ordinal)),
    };
    int steps = int.Parse(Get("steps", "400")), every = int.Parse(Get("every", "100"));
    TorchDevices.SetThreads(threads);
    foreach (var seed in Get("seeds", "1,2,3,42,43,44").Split(',').Select(ulong.Parse))
    {
        TorchSharp.torch.random.manual_seed((long)seed);
        using var model = ModelRegistry.Create(spec, data.Vocabulary.Size, modelOptions, ImmutableSortedDictionary<string, int>.Empty, seed, graphs: graphs)
            .Match(m => m, err => throw new InvalidOperationException(err.Message));
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        double weight = Llm4Sbr.Training.Models.Backbones.GceGnnBackbone.ClickWeightOf(p["backbone.glu1.bias"], p["backbone.w_2"]);
        model.train();
        using var updater = Llm4Sbr.Training.Optimisation.ParameterUpdaters.Adam(model, new Llm4Sbr.Training.Optimisation.AdamSettings(),
            TorchSharp.torch.CPU, true, TorchSharp.torch.get_num_threads());
        var order = SeededShuffle.Permutation(data.Fit.Count, seed, 1);
        var means = new List<string>();
        double sum = 0; int done = 0;
        foreach (var slice in BatchSlices.Of(order, 100).Take(steps))
        {
            sum += TrainingStep.Run(model, updater, data.Fit, slice, TorchSharp.torch.CPU).Loss;
            if (++done % every == 0) { means.Add((sum / every).ToString("F3")); sum = 0; }
        }
        Console.WriteLine($"seed {seed}: initial click weight {weight:F4}; mean loss per {every} steps: {string.Join(" ", means)}");
    }
    return;
}

if (Get("mode", "bench") == "train")
{
    var models = Get("models", ModelRegistry.SrGnnName).Split(',');
    int seeds = int.Parse(Get("seeds", "3"));
    var data = TrainingData.Build(beauty.Train, beauty.Test, beauty.Vocabulary, [], ValidationOptions.Default)
        .Match(d => d, err => throw new InvalidOperationException(err.Message));
    foreach (var model in models)
    {
        var results = new List<TrainingResult>();
        ulong first = ulong.Parse(Get("seed", "1"));
        for (ulong seed = first; seed < first + (ulong)seeds; seed++)
        {
            var options = new TrainerOptions
            {
                Seed = seed, Device = device, Threads = threads,
                Epochs = int.Parse(Get("epochs", "30")), Patience = int.Parse(Get("patience", "5")),
            };
            var outcome = Trainer.Train(model, data, ModelOptions.Default, options, logger).Match(o => o, err => throw new InvalidOperationException(err.Message));
            outcome.Model.Dispose();
            results.Add(outcome.Result);
            Console.WriteLine(JsonSerializer.Serialize(outcome.Result with { TestRanks = [] }, json));
        }
        Console.WriteLine(JsonSerializer.Serialize(SeedSummary.Of(model, results), json));
    }
    return;
}

var benchOptions = new BenchmarkOptions
{
    Steps = int.Parse(Get("steps", "200")),
    Epochs = int.Parse(Get("epochs", "1")),
    // epoch_order=interleaved (batch by batch, the default) or sequential (whole epochs A B, B A)
    EpochOrder = Enum.Parse<BenchmarkEpochOrder>(Get("epoch_order", "interleaved"), ignoreCase: true),
    Evaluate = Get("eval", "1") != "0",
    Models = [.. Get("models", string.Join(",", ModelRegistry.DefaultModels)).Split(',')],
    Threads = threads,
    BatchSize = int.Parse(Get("batch", "100")),
    ViewFill = Get("fill", "random") == "zero" ? BenchmarkViewFill.Zero : BenchmarkViewFill.Random,
    Device = device,
    // params=key:value,key:value, e.g. params=item_chunk:2048 models=tagnn (every listed model must take the keys)
    ModelOptions = ModelOptions.Default with
    {
        Parameters = new ModelParameters(Get("params", "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(':', 2)).ToImmutableSortedDictionary(p => p[0], p => p[1], StringComparer.Ordinal)),
    },
};
TrainingBenchmark.Run(beauty.Train, beauty.Test, beauty.Vocabulary, benchOptions, logger).Match(
    r => Console.WriteLine(JsonSerializer.Serialize(r, json)),
    err => { Console.Error.WriteLine(err.Message); Environment.ExitCode = 1; });

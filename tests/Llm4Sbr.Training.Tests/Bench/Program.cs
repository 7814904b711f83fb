// Run: dotnet run -c Release --project tests/Llm4Sbr.Training.Tests/Bench -- steps=200 epochs=1
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Llm4Sbr.Training.Benchmarks;
using Llm4Sbr.Training.Tests.Support;
using Llm4Sbr.Training.Training;
using Microsoft.Extensions.Logging;

// Usage: Bench [steps=200] [epochs=1] [models=srgnn,llm4sbr-srgnn] [threads=N] [fill=random|zero] [device=auto|cpu|cuda]
var settings = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
var options = new BenchmarkOptions
{
    Steps = settings.TryGetValue("steps", out var s) ? int.Parse(s) : 200,
    Epochs = settings.TryGetValue("epochs", out var e) ? int.Parse(e) : 1,
    Models = settings.TryGetValue("models", out var m) ? [.. m.Split(',')] : Llm4Sbr.Training.Models.ModelRegistry.DefaultModels,
    Threads = settings.TryGetValue("threads", out var t) ? int.Parse(t) : null,
    ViewFill = settings.TryGetValue("fill", out var f) && f == "zero" ? BenchmarkViewFill.Zero : BenchmarkViewFill.Random,
    Device = settings.TryGetValue("device", out var d) ? TorchDevices.Parse(d).Match(x => x, err => throw new ArgumentException(err.Message)) : DeviceChoice.Auto,
};
using var factory = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
var logger = factory.CreateLogger("bench");
var beauty = BeautySamples.Load();
logger.LogInformation("Beauty: {Train} train / {Test} test samples, {Items} items", beauty.Train.Length, beauty.Test.Length, beauty.Vocabulary.Count);
var report = TrainingBenchmark.Run(beauty.Train, beauty.Test, beauty.Vocabulary, options, logger);
report.Match(
    r => Console.WriteLine(JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true, Converters = { new JsonStringEnumConverter() } })),
    err => { Console.Error.WriteLine(err.Message); Environment.ExitCode = 1; });

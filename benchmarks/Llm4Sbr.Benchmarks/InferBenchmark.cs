using System.Collections.Immutable;
using System.Diagnostics;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Prompts;
using Llm4Sbr.Inference.Llm;
using Llm4Sbr.Tests.Fakes;

namespace Llm4Sbr.Benchmarks;

/// <summary><c>infer</c>: the ollama engine against the in-process stand-in server (the tests' fake, on
/// 127.0.0.1) answering after a fixed latency, clean and failing every Nth request (in arrival order),
/// on the same prompts, with the default retry, pass and breaker settings and a fresh response cache per
/// run. Shows what transient failures cost in wall time, and that the run completes. <c>--hung-endpoint 1</c>
/// lists a server that accepts connections and never answers before the healthy one.</summary>
internal static class InferBenchmark
{
    public static int Run(BenchmarkArgs args)
    {
        int prompts = args.Int("prompts", 2000);
        int latencyMs = args.Int("latency-ms", 70);
        int failEvery = args.Int("fail-every", 7);
        int concurrency = args.Int("concurrency", 4);
        bool hung = args.Int("hung-endpoint", 0) != 0;
        var (items, titles) = Catalogue(200);
        var records = PromptBuilder.BuildAll(Samples(prompts / Views.Default.Length, items.Count), items, Views.Default, PromptOptions.Default)
            .Match(p => p, e => throw new InvalidOperationException(e.Message));
        var offline = new OfflineIntentEngine(titles, Views.Default);
        Console.WriteLine($"infer: {records.Length:N0} prompts ({records.Select(p => p.Hash).Distinct().Count():N0} distinct), latency {latencyMs} ms, max_concurrency {concurrency}{(hung ? ", a hung endpoint listed first" : "")}, defaults otherwise");
        foreach (var every in new[] { 0, failEvery })
        {
            var (elapsed, outcome) = RunOnce(records, offline, latencyMs, every, concurrency, hung).GetAwaiter().GetResult();
            var s = outcome.Stats;
            var verdict = outcome switch
            {
                InferenceCompleted => "completed",
                InferenceFailed f => $"FAILED ({f.Failure.PromptsUnanswered} unanswered): {f.Failure.Message}",
                _ => "?",
            };
            Console.WriteLine($"  {(every == 0 ? "clean" : $"1 in {every} fails")}: {elapsed.TotalSeconds:F1} s, {verdict}; {s.Received:N0} received, {s.Retries:N0} retries");
        }
        return 0;
    }

    private static async Task<(TimeSpan, InferenceOutcome)> RunOnce(ImmutableArray<PromptRecord> prompts, OfflineIntentEngine offline, int latencyMs, int failEvery,
        int concurrency, bool hung)
    {
        await using var silent = new SilentServer();
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, async r =>
        {
            await Task.Delay(latencyMs);
            return failEvery > 0 && r.Sequence % failEvery == 0 ? new FakeReply.Status(500) : new FakeReply.Text("Some item title");
        });
        var cache = Path.Combine(Path.GetTempPath(), "llm4sbr-infer-bench", Guid.NewGuid().ToString("N"));
        try
        {
            var settings = new LlmSettings { Engine = "ollama", Endpoints = hung ? [silent.Url, server.Url] : [server.Url], MaxConcurrency = concurrency };
            await using var engine = IntentEngines.Create(settings, offline, cache, _ => null)
                .Match(e => e, e => throw new InvalidOperationException(e.Message));
            var clock = Stopwatch.StartNew();
            var outcome = await engine.AnswerAsync(prompts, null, CancellationToken.None);
            return (clock.Elapsed, outcome);
        }
        finally
        {
            if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        }
    }

    private static (IReadOnlyDictionary<int, Item>, ItemTitleEmbeddings) Catalogue(int count)
    {
        var items = Enumerable.Range(1, count).Select(i => new Item(i, $"Item number {i}", true)).ToDictionary(i => i.Id);
        var random = new Random(1);
        var vectors = Enumerable.Range(0, count * 8).Select(_ => (float)random.NextDouble()).ToArray();
        var titles = ItemTitleEmbeddings.ForRows(items, new EmbeddingMatrix(count, 8, vectors), [.. items.Keys])
            .Match(t => t, e => throw new InvalidOperationException(e.Message));
        return (items, titles);
    }

    // Distinct click sequences: sample i clicks items derived from i's digits, so no two prompts repeat.
    private static ImmutableArray<Sample> Samples(int count, int items) =>
    [
        .. Enumerable.Range(0, count).Select(i => new Sample(i, i, SplitPart.Train,
            [1 + i % items, 1 + i / items % items, 1 + i / (items * items) % items, 1 + (i * 7 + 3) % items], 1)),
    ];
}

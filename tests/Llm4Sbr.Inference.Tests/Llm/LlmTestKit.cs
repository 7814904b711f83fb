using System.Collections.Concurrent;
using System.Collections.Immutable;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Prompts;
using Llm4Sbr.Inference.Llm;
using Microsoft.Extensions.Logging;
using Llm4Sbr.Tests.Fakes;

namespace Llm4Sbr.Inference.Tests.Llm;

/// <summary>A small catalogue, its title embeddings, samples and prompts, and helpers shared by the LLM tests.</summary>
internal static class LlmTestKit
{
    public static readonly ImmutableArray<Item> Catalogue =
    [
        new(1, "OPI Nail Lacquer Red", true),
        new(2, "Essie Nail Polish Pink", true),
        new(3, "Sally Hansen Nail Polish Clear", true),
        new(4, "Pantene Shampoo Classic", true),
        new(5, "Dove Shampoo Moisture", true),
        new(6, Item.PlaceholderTitle(6), false),
    ];

    public static readonly IReadOnlyDictionary<int, Item> Items = Catalogue.ToDictionary(i => i.Id);

    // Dimension 0: nail polish, 1: shampoo, 2: noise.
    private static readonly float[][] Vectors =
    [
        [1.0f, 0.0f, 0.1f], [0.9f, 0.1f, 0.2f], [0.95f, 0.05f, 0.0f], [0.1f, 1.0f, 0.1f], [0.0f, 0.9f, 0.3f], [0.5f, 0.5f, 0.5f],
    ];

    public static ItemTitleEmbeddings Titles() =>
        ItemTitleEmbeddings.ForRows(Items, new EmbeddingMatrix(Vectors.Length, 3, Vectors.SelectMany(v => v).ToArray()),
                [.. Catalogue.Select(i => i.Id)])
            .Match(t => t, e => throw new InvalidOperationException(e.Message));

    public static OfflineIntentEngine Offline(params ViewSpec[] views) =>
        new(Titles(), views.Length == 0 ? Views.Builtin : views);

    /// <summary><paramref name="count"/> samples with distinct click sequences over the catalogue.</summary>
    public static ImmutableArray<Sample> Samples(int count) =>
    [
        .. Enumerable.Range(0, count).Select(i => new Sample(100 + i, i, SplitPart.Train,
            [.. Enumerable.Range(0, 1 + i % 5).Select(k => 1 + (i * 7 + k * 3) % 6), 1 + i % 6], 1)),
    ];

    public static ImmutableArray<PromptRecord> Prompts(int samples, params ViewSpec[] views) =>
        PromptBuilder.BuildAll(Samples(samples), Items, views.Length == 0 ? Views.Default : views, PromptOptions.Default)
            .Match(p => p, e => throw new InvalidOperationException(e.Message));

    /// <summary>The item line numbers of a prompt's text, parsed back: (title, id) per line.</summary>
    public static (string Title, int Id)[] ShownItems(string prompt) =>
    [
        .. prompt.Split('\n')[1..^1].Select(line =>
        {
            var body = line[(line.IndexOf(". ", StringComparison.Ordinal) + 2)..];
            var cut = body.LastIndexOf('_');
            return (body[..cut], int.Parse(body[(cut + 1)..]));
        }),
    ];

    /// <summary>A reply an LLM might give: the first shown item for the long view, the last otherwise,
    /// decorated as models do (numbering, quotes, the id suffix).</summary>
    public static string ReplyFor(string prompt)
    {
        var shown = ShownItems(prompt);
        var (title, id) = prompt.Contains("long-term", StringComparison.Ordinal) ? shown[0] : shown[^1];
        return $"1. \"{title}_{id}\"";
    }

    /// <summary>The stand-in server's ordinary behaviour: <see cref="ReplyFor"/> the request's prompt.</summary>
    public static FakeReply ModelReply(ReceivedRequest r) => new FakeReply.Text(ReplyFor(r.Prompt));

    public static string ExpectedAnswer(PromptRecord p) =>
        p.View == "long" ? Items[p.ItemIds[0]].Title : Items[p.ItemIds[^1]].Title;

    public static LlmSettings Fast(string engine, params string[] endpoints) => new()
    {
        Engine = engine,
        Model = "qwen2.5:7b",
        Endpoints = [.. endpoints],
        MaxConcurrency = 4,
        RequestTimeout = TimeSpan.FromSeconds(5),
        MaxRetries = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        RetryMaxDelay = TimeSpan.FromMilliseconds(40),
        EndpointCooldown = TimeSpan.FromMilliseconds(20),
        CacheFlushInterval = TimeSpan.FromHours(1),
        // Off unless a test is about it: servers failing on purpose would open it and stall on its break.
        BreakerFailures = 1000,
    };

    public static IIntentEngine Engine(LlmSettings settings, string cacheFolder, ILoggerFactory? loggers = null, Func<string, string?>? environment = null,
        TimeProvider? time = null) =>
        IntentEngines.Create(settings, Offline(), cacheFolder, environment ?? (_ => null), loggers, time)
            .Match(e => e, e => throw new InvalidOperationException(e.Message));

    /// <summary>A token that ends a stuck test after a minute instead of hanging the run.</summary>
    public static CancellationToken Guard() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public static string Engine(Api api) => api == Api.Ollama ? "ollama" : "openai";


    public static InferenceCompleted Completed(InferenceOutcome outcome) => outcome switch
    {
        InferenceCompleted c => c,
        InferenceFailed f => throw new Xunit.Sdk.XunitException("expected a completed run, got: " + f.Failure.Message),
        _ => throw new Xunit.Sdk.XunitException("unknown outcome"),
    };

    public static InferenceFailed Failed(InferenceOutcome outcome) => outcome switch
    {
        InferenceFailed f => f,
        _ => throw new Xunit.Sdk.XunitException("expected a failed run, got a completed one"),
    };
}

/// <summary>Fresh temporary folders for one test class instance (xunit creates one per test), deleted with it.</summary>
public sealed class TempFolders : IDisposable
{
    private readonly List<string> _created = [];

    public string New()
    {
        var path = Path.Combine(Path.GetTempPath(), "llm4sbr-llm-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        _created.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var path in _created)
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }
}

/// <summary>Collects log messages (formatted) so tests can check what is and is not logged, and wait for one.</summary>
internal sealed class CollectingLoggerFactory : ILoggerFactory
{
    private readonly Lock _gate = new();
    private readonly List<(string Fragment, TaskCompletionSource<string> Seen)> _waiters = [];

    public ConcurrentQueue<string> Messages { get; } = new();
    public void AddProvider(ILoggerProvider provider) { }
    public ILogger CreateLogger(string categoryName) => new Collector(this);
    public void Dispose() { }

    /// <summary>Completes with the first message (past or future) containing <paramref name="fragment"/>.</summary>
    public Task<string> WaitForAsync(string fragment)
    {
        lock (_gate)
        {
            if (Messages.FirstOrDefault(m => m.Contains(fragment, StringComparison.Ordinal)) is { } seen) return Task.FromResult(seen);
            var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((fragment, waiter));
            return waiter.Task;
        }
    }

    private void Add(string message)
    {
        lock (_gate)
        {
            Messages.Enqueue(message);
            foreach (var (fragment, waiter) in _waiters)
                if (message.Contains(fragment, StringComparison.Ordinal)) waiter.TrySetResult(message);
        }
    }

    private sealed class Collector(CollectingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add($"{logLevel}: {formatter(state, exception)} {exception}");
    }
}

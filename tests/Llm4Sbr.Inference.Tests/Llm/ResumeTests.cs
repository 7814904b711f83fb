using System.Collections.Concurrent;
using Llm4Sbr.Inference.Llm;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static Llm4Sbr.Inference.Tests.Llm.LlmTestKit;
using Llm4Sbr.Tests.Fakes;

namespace Llm4Sbr.Inference.Tests.Llm;

/// <summary>Interrupted and damaged runs: what is kept, and what a rerun asks for.</summary>
public class ResumeTests : IDisposable
{
    private readonly TempFolders _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_interrupted_run_resumes_where_it_stopped()
    {
        var prompts = Prompts(30);
        var distinct = prompts.Select(p => p.Hash).Distinct().Count();
        using var interrupt = new CancellationTokenSource();
        var served = 0;
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, async r =>
        {
            if (Interlocked.Increment(ref served) == 12) await interrupt.CancelAsync();
            return new FakeReply.Text(ReplyFor(r.Prompt));
        });
        var cache = _temp.New();
        var settings = Fast("ollama", server.EndpointUrl) with { MaxConcurrency = 2, CacheBatchSize = 5 };

        await using (var engine = Engine(settings, cache))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.AnswerAsync(prompts, null, interrupt.Token));

        var (stored, _) = await ResponseCache.OpenAsync(cache, 5, TimeSpan.FromHours(1), TimeProvider.System, NullLogger.Instance, Guard());
        var kept = stored.Count;
        Assert.InRange(kept, 1, distinct - 1);
        var sentBefore = server.ChatRequests;

        await using (var engine = Engine(settings, cache))
        {
            var run = Completed(await engine.AnswerAsync(prompts, null, Guard()));
            Assert.Equal(kept, run.Stats.FromCache);
            Assert.Equal(distinct - kept, run.Stats.Received);
            Assert.All(prompts.Zip(run.Answers), pair => Assert.Equal(ExpectedAnswer(pair.Item1), pair.Item2.Text));
        }
        Assert.Equal(sentBefore + distinct - kept, server.ChatRequests);
    }

    [Fact]
    public async Task A_corrupt_shard_is_reported_and_only_its_prompts_are_asked_again()
    {
        var prompts = Prompts(12);
        var distinct = prompts.Select(p => p.Hash).Distinct().Count();
        await using var server = await FakeLlmServer.StartAsync(Api.OpenAi, r => new FakeReply.Text(ReplyFor(r.Prompt)));
        var cache = _temp.New();
        var settings = Fast("openai", server.EndpointUrl) with { CacheBatchSize = 4 };
        await using (var engine = Engine(settings, cache))
            Completed(await engine.AnswerAsync(prompts, null, Guard()));
        var shard = Directory.GetFiles(cache, "replies-*.parquet").Order(StringComparer.Ordinal).First();
        var rowsInShard = (await Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(File.OpenRead(shard), cancellationToken: Guard())).Data.Count;
        await using (var stream = new FileStream(shard, FileMode.Open)) stream.SetLength(stream.Length - 7); // truncated
        var before = server.ChatRequests;

        await using (var engine = Engine(settings, cache))
        {
            var run = Completed(await engine.AnswerAsync(prompts, null, Guard()));
            var corrupt = Assert.Single(run.Stats.Cache!.Corrupt);
            Assert.Equal(shard, corrupt.Path);
            Assert.Equal(distinct - rowsInShard, run.Stats.FromCache);
            Assert.All(prompts.Zip(run.Answers), pair => Assert.Equal(ExpectedAnswer(pair.Item1), pair.Item2.Text));
        }
        Assert.Equal(before + rowsInShard, server.ChatRequests);
    }

    [Fact]
    public async Task Identical_prompts_are_asked_once_and_answered_for_every_sample()
    {
        var prompts = Prompts(4);
        var twice = prompts.AddRange(prompts.Select(p => p with { SampleId = p.SampleId + 1000 }));
        var seen = new ConcurrentBag<string>();
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, r => { seen.Add(r.Prompt); return new FakeReply.Text(ReplyFor(r.Prompt)); });
        await using var engine = Engine(Fast("ollama", server.EndpointUrl), _temp.New());

        var run = Completed(await engine.AnswerAsync(twice, null, Guard()));

        Assert.Equal(prompts.Length, seen.Count);
        Assert.Equal(twice.Select(p => p.SampleId), run.Answers.Select(a => a.SampleId));
        Assert.Equal(run.Answers.Take(prompts.Length).Select(a => a.Text), run.Answers.Skip(prompts.Length).Select(a => a.Text));
    }
}

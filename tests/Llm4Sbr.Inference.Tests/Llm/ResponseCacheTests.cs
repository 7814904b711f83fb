using Llm4Sbr.Tests.Shared;
using Llm4Sbr.Inference.Llm;
using Microsoft.Extensions.Logging.Abstractions;
using Parquet.Serialization;
using Xunit;
using static Llm4Sbr.Inference.Tests.Llm.LlmTestKit;
using Llm4Sbr.Tests.Fakes;

namespace Llm4Sbr.Inference.Tests.Llm;

public class ResponseCacheTests : IDisposable
{
    private readonly TempFolders _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CacheKey Key(int i) => new("ollama", "qwen2.5:7b", "temperature=0", $"hash-{i:D4}");

    private static Task<(ResponseCache Cache, CacheLoadReport Report)> Open(string folder, int batch = 100, TimeProvider? time = null) =>
        ResponseCache.OpenAsync(folder, batch, TimeSpan.FromHours(1), time ?? TimeProvider.System, NullLogger.Instance, Guard());

    private static string[] Shards(string folder) => Directory.GetFiles(folder, "replies-*.parquet").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Replies_are_written_in_batches_and_read_back_after_reopening()
    {
        var folder = _temp.New();
        var (cache, report) = await Open(folder, batch: 4);
        Assert.Equal(0, report.Entries);
        for (var i = 0; i < 10; i++) await cache.AddAsync(Key(i), $"reply {i}", "http://a/");
        Assert.Equal(2, Shards(folder).Length);
        await cache.FlushAsync();
        Assert.Equal(3, Shards(folder).Length);
        Assert.Equal(3, cache.ShardsWritten);
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));

        var (reopened, again) = await Open(folder);
        Assert.Equal(3, again.Shards);
        Assert.Equal(10, again.Entries);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(reopened.TryGet(Key(i), out var raw));
            Assert.Equal($"reply {i}", raw);
        }
        Assert.False(reopened.TryGet(Key(10), out _));
        Assert.False(reopened.TryGet(Key(1) with { Model = "qwen:7b-chat" }, out _));
    }

    [Fact]
    public async Task Many_small_shards_are_merged_into_one_when_opened()
    {
        var folder = _temp.New();
        var (cache, _) = await Open(folder, batch: 1);
        var count = ResponseCache.CompactAbove + 3;
        for (var i = 0; i < count; i++) await cache.AddAsync(Key(i), $"reply {i}", "e");
        Assert.Equal(count, Shards(folder).Length);

        var (merged, report) = await Open(folder);
        Assert.Equal(count, report.Shards);
        Assert.Single(Shards(folder));

        var (reopened, again) = await Open(folder);
        Assert.Equal(1, again.Shards);
        Assert.Equal(count, again.Entries);
        for (var i = 0; i < count; i++)
        {
            Assert.True(reopened.TryGet(Key(i), out var raw));
            Assert.Equal($"reply {i}", raw);
            Assert.True(merged.TryGet(Key(i), out _));
        }
    }

    [Fact]
    public async Task Shards_another_process_is_reading_are_not_deleted_by_compaction()
    {
        var folder = _temp.New();
        var (cache, _) = await Open(folder, batch: 1);
        var count = ResponseCache.CompactAbove + 3;
        for (var i = 0; i < count; i++) await cache.AddAsync(Key(i), $"reply {i}", "e");

        // Another process reading the folder holds its lock shared, as OpenAsync does while it reads.
        using (new FileStream(Path.Combine(folder, ResponseCache.LockFile), FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite))
        {
            var (whileRead, report) = await Open(folder);
            Assert.Equal(count, report.Entries);
            Assert.True(whileRead.TryGet(Key(count - 1), out _));
            Assert.Equal(count, Shards(folder).Length); // nothing deleted under the reader
        }

        var (afterwards, again) = await Open(folder);
        Assert.Equal(count, again.Entries);
        Assert.Single(Shards(folder)); // merged once nobody reads
    }

    [Fact]
    public async Task A_batch_is_also_written_once_the_flush_interval_has_passed()
    {
        var folder = _temp.New();
        var time = new ManualClock();
        var (cache, _) = await ResponseCache.OpenAsync(folder, 100, TimeSpan.FromSeconds(5), time, NullLogger.Instance, Guard());
        await cache.AddAsync(Key(1), "a", "e");
        await cache.AddAsync(Key(2), "b", "e");
        Assert.Empty(Shards(folder));
        time.Advance(TimeSpan.FromSeconds(6));
        await cache.AddAsync(Key(3), "c", "e");
        var shard = Assert.Single(Shards(folder));
        var rows = await ParquetSerializer.DeserializeUntypedAsync(File.OpenRead(shard), cancellationToken: Guard());
        Assert.Equal(3, rows.Data.Count);
        Assert.Equal(ResponseCache.Columns, rows.Schema.GetDataFields().Select(f => f.Name));
    }

    [Fact]
    public async Task A_key_is_stored_once_and_the_first_reply_wins()
    {
        var folder = _temp.New();
        var (cache, _) = await Open(folder);
        await cache.AddAsync(Key(1), "first", "e");
        await cache.AddAsync(Key(1), "second", "e");
        await cache.FlushAsync();
        var (reopened, report) = await Open(folder);
        Assert.Equal(1, report.Entries);
        Assert.True(reopened.TryGet(Key(1), out var raw));
        Assert.Equal("first", raw);
    }

    [Fact]
    public async Task A_modified_shard_is_reported_moved_aside_and_not_trusted()
    {
        var folder = _temp.New();
        var (cache, _) = await Open(folder, batch: 3);
        for (var i = 0; i < 9; i++) await cache.AddAsync(Key(i), $"reply {i}", "e");
        var shards = Shards(folder);
        Assert.Equal(3, shards.Length);
        var victim = shards[1];
        var victimKeys = (await ParquetSerializer.DeserializeUntypedAsync(File.OpenRead(victim), cancellationToken: Guard())).Data
            .Select(row => (string)row["prompt_hash"]!).ToHashSet();
        var bytes = await File.ReadAllBytesAsync(victim, Guard());
        bytes[bytes.Length / 2] ^= 0x5A;
        await File.WriteAllBytesAsync(victim, bytes, Guard());

        var (reopened, report) = await Open(folder);

        var corrupt = Assert.Single(report.Corrupt);
        Assert.Equal(victim, corrupt.Path);
        Assert.Contains("does not match", corrupt.Reason);
        Assert.False(File.Exists(victim));
        Assert.True(File.Exists(corrupt.MovedTo));
        Assert.Equal(2, report.Shards);
        Assert.Equal(6, report.Entries);
        for (var i = 0; i < 9; i++)
            Assert.Equal(!victimKeys.Contains(Key(i).PromptHash), reopened.TryGet(Key(i), out _));
    }

    [Fact]
    public async Task A_shard_that_does_not_parse_is_reported_even_when_its_name_matches()
    {
        var folder = _temp.New();
        var garbage = "PAR1 this is not parquet"u8.ToArray();
        var name = "replies-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(garbage))[..32] + ".parquet";
        await File.WriteAllBytesAsync(Path.Combine(folder, name), garbage, Guard());

        var (_, report) = await Open(folder);

        var corrupt = Assert.Single(report.Corrupt);
        Assert.Contains("does not parse", corrupt.Reason);
        Assert.Equal(0, report.Entries);
    }

    [Fact]
    public async Task Temporary_files_of_an_interrupted_write_are_ignored()
    {
        var folder = _temp.New();
        await File.WriteAllTextAsync(Path.Combine(folder, "replies-0123.parquet.abc.tmp"), "half a shard", Guard());
        var (_, report) = await Open(folder);
        Assert.Empty(report.Corrupt);
        Assert.Equal(0, report.Shards);
    }
}

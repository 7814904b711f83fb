using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Llm4Sbr.Core.Files;
using Llm4Sbr.Inference.Shards;
using Microsoft.Extensions.Logging;
using Parquet.Serialization;

namespace Llm4Sbr.Inference.Llm;

/// <summary>What a reply is cached under: who answered, with which options, to which prompt text.</summary>
public readonly record struct CacheKey(string Engine, string Model, string Options, string PromptHash);

/// <summary>A shard that was not trusted: its bytes do not match the hash in its name, or it does not parse.</summary>
public sealed record CorruptShard(string Path, string Reason, string MovedTo);

/// <summary>What opening the cache found.</summary>
public sealed record CacheLoadReport(string Folder, int Shards, int Entries, ImmutableArray<CorruptShard> Corrupt);

/// <summary>Persistent reply cache: a folder of Parquet shards named <c>replies-&lt;sha256 of the file, 32 hex&gt;.parquet</c>,
/// columns <c>engine, model, options, prompt_hash, raw, endpoint</c> (all strings). New replies are written in
/// batches (every <c>batchSize</c> replies or <c>flushInterval</c>, whichever first, and on
/// <see cref="FlushAsync"/>), each batch to a temporary file that is then renamed, so a shard is either
/// complete or absent. At open, a shard whose bytes do not hash to its name, or that does not parse, is
/// reported and renamed to <c>*.corrupt</c> (kept for inspection, never read again). Thread-safe.</summary>
public sealed class ResponseCache
{
    public const string ShardPrefix = "replies-";
    public const string ShardExtension = ContentAddressedName.Extension;

    /// <summary>The folder's lock file: readers hold it shared while they read shards, compaction
    /// exclusively while it deletes them (see <see cref="FileLocks"/>).</summary>
    public const string LockFile = ".lock";

    /// <summary>Shard columns, all strings.</summary>
    public static readonly ImmutableArray<string> Columns = ["engine", "model", "options", "prompt_hash", "raw", "endpoint"];

    private readonly Dictionary<CacheKey, string> _entries;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly int _batchSize;
    private readonly TimeSpan _flushInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private List<ShardRow> _pending = [];
    private long _lastFlush;
    private int _shardsWritten;
    private string? _latestShard;

    private ResponseCache(string folder, Dictionary<CacheKey, string> entries, int batchSize, TimeSpan flushInterval, TimeProvider time, ILogger logger)
    {
        Folder = folder;
        _entries = entries;
        _batchSize = batchSize;
        _flushInterval = flushInterval;
        _time = time;
        _logger = logger;
        _lastFlush = time.GetTimestamp();
    }

    public string Folder { get; }

    public int ShardsWritten => Volatile.Read(ref _shardsWritten);

    public int Count { get { lock (_gate) return _entries.Count; } }

    /// <summary>Above this many shards, opening merges them into one (many small files are slow to read).</summary>
    public const int CompactAbove = 64;

    /// <summary>Loads every trusted shard of <paramref name="folder"/> (created when missing). Shards are read
    /// in name order and the first reply stored for a key wins. More than <see cref="CompactAbove"/> trusted
    /// shards are merged into one: the merged shard is written (atomically) before the loaded ones are
    /// deleted, so an interruption leaves duplicates at worst. Processes share the folder: reading holds its
    /// <see cref="LockFile"/> shared, and compaction runs only when it gets it exclusively (no other
    /// process is reading), else it is left to a later open.</summary>
    public static async Task<(ResponseCache Cache, CacheLoadReport Report)> OpenAsync(
        string folder, int batchSize, TimeSpan flushInterval, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var lockPath = Path.Combine(folder, LockFile);
        // Shared with other readers; it keeps another process's compaction (below) from deleting what is read here.
        using var reading = await FileLocks.TakeAsync(lockPath, exclusive: false, time, null, cancellationToken).ConfigureAwait(false);
        var entries = new Dictionary<CacheKey, string>();
        var corrupt = ImmutableArray.CreateBuilder<CorruptShard>();
        var shards = Directory.GetFiles(folder, ShardPrefix + "*" + ShardExtension).Order(StringComparer.Ordinal).ToArray();
        var trusted = new List<string>();
        var rowsInOrder = new List<ShardRow>();
        foreach (var path in shards)
        {
            if (!File.Exists(path)) continue; // another process reading too set it aside as corrupt
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            var problem = ContentAddressedName.Matches(path, ShardPrefix, bytes) ? null : "its content does not match the hash in its name (truncated or modified)";
            IList<ShardRow>? rows = null;
            if (problem is null)
            {
                try
                {
                    using var stream = new MemoryStream(bytes, writable: false);
                    var result = await ParquetSerializer.DeserializeAsync<ShardRow>(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                    var columns = result.Schema.GetDataFields().Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
                    var absent = Columns.Where(c => !columns.Contains(c)).ToArray();
                    if (absent.Length > 0) problem = $"it lacks the column(s) {string.Join(", ", absent)}";
                    else rows = result.Data;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    problem = $"it does not parse as a reply shard ({e.GetType().Name}: {e.Message})";
                }
            }
            if (problem is not null)
            {
                var movedTo = path + ".corrupt";
                File.Move(path, movedTo, overwrite: true);
                logger.LogWarning("Response cache shard {Path} is not trusted: {Problem}; moved to {MovedTo}, its prompts will be asked again", path, problem, movedTo);
                corrupt.Add(new CorruptShard(path, problem, movedTo));
                continue;
            }
            trusted.Add(path);
            foreach (var row in rows!)
                if (entries.TryAdd(new CacheKey(row.Engine, row.Model, row.Options, row.PromptHash), row.Raw))
                    rowsInOrder.Add(row);
        }
        var cache = new ResponseCache(folder, entries, batchSize, flushInterval, time, logger);
        reading.Dispose();
        using var compacting = trusted.Count > CompactAbove && rowsInOrder.Count > 0 ? FileLocks.TryTake(lockPath, exclusive: true) : null;
        if (compacting is null && trusted.Count > CompactAbove)
            logger.LogDebug("Response cache: another process is reading {Folder}; its shards are merged at a later open", folder);
        if (compacting is not null)
        {
            await cache.WriteShardAsync(rowsInOrder).ConfigureAwait(false);
            foreach (var path in trusted)
                if (File.Exists(path) && !cache.IsLatestShard(path)) File.Delete(path);
            logger.LogInformation("Response cache: merged {Shards} shards ({Entries} replies) into one", trusted.Count, rowsInOrder.Count);
        }
        return (cache, new CacheLoadReport(folder, trusted.Count, entries.Count, corrupt.ToImmutable()));
    }

    public bool TryGet(CacheKey key, out string raw)
    {
        lock (_gate) return _entries.TryGetValue(key, out raw!);
    }

    /// <summary>Records a reply; writes a shard when the batch is full or the flush interval has passed.
    /// A shard write is not interrupted by cancellation (it is small), so no received reply is lost to it.</summary>
    public async Task AddAsync(CacheKey key, string raw, string endpoint)
    {
        List<ShardRow>? batch = null;
        lock (_gate)
        {
            if (!_entries.TryAdd(key, raw)) return;
            _pending.Add(new ShardRow { Engine = key.Engine, Model = key.Model, Options = key.Options, PromptHash = key.PromptHash, Raw = raw, Endpoint = endpoint });
            if (_pending.Count >= _batchSize || _time.GetElapsedTime(_lastFlush) >= _flushInterval)
                batch = TakePending();
        }
        if (batch is not null) await WriteShardAsync(batch).ConfigureAwait(false);
    }

    /// <summary>Writes whatever is pending.</summary>
    public async Task FlushAsync()
    {
        List<ShardRow> batch;
        lock (_gate) batch = TakePending();
        if (batch.Count > 0) await WriteShardAsync(batch).ConfigureAwait(false);
    }

    private List<ShardRow> TakePending()
    {
        var batch = _pending;
        _pending = [];
        _lastFlush = _time.GetTimestamp();
        return batch;
    }

    // On failure the batch goes back to the pending list, so a later flush can still write it.
    private async Task WriteShardAsync(List<ShardRow> batch)
    {
        try
        {
            await WriteShardFileAsync(batch).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_gate) _pending.InsertRange(0, batch);
            throw new IOException($"cannot write a response cache shard in {Folder}: {e.Message}", e);
        }
    }

    private async Task WriteShardFileAsync(List<ShardRow> batch)
    {
        using var buffer = new MemoryStream();
        await ParquetSerializer.SerializeAsync(batch, buffer).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        var final = Path.Combine(Folder, ContentAddressedName.Of(ShardPrefix, bytes));
        await _writer.WaitAsync().ConfigureAwait(false);
        try
        {
            _latestShard = final;
            if (File.Exists(final)) return; // same bytes already stored
            var temp = final + "." + Guid.NewGuid().ToString("N") + ".tmp";
            // No fsync: a shard torn by a power cut fails its content hash at the next open and is not trusted.
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                await file.WriteAsync(bytes).ConfigureAwait(false);
            File.Move(temp, final, overwrite: false);
            _latestShard = final;
            Interlocked.Increment(ref _shardsWritten);
            _logger.LogDebug("Response cache: wrote {Count} replies to {Shard}", batch.Count, final);
        }
        finally
        {
            _writer.Release();
        }
    }

    private bool IsLatestShard(string path) => string.Equals(Path.GetFullPath(path), _latestShard is null ? null : Path.GetFullPath(_latestShard), StringComparison.Ordinal);

    /// <summary>One Parquet row (the serializer needs settable properties).</summary>
    internal sealed class ShardRow
    {
        [JsonPropertyName("engine")] public string Engine { get; set; } = "";
        [JsonPropertyName("model")] public string Model { get; set; } = "";
        [JsonPropertyName("options")] public string Options { get; set; } = "";
        [JsonPropertyName("prompt_hash")] public string PromptHash { get; set; } = "";
        [JsonPropertyName("raw")] public string Raw { get; set; } = "";
        [JsonPropertyName("endpoint")] public string Endpoint { get; set; } = "";
    }
}

using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llm4Sbr.Core.Files;
using Llm4Sbr.Engine.Keys;
using Llm4Sbr.Engine.Stages;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Engine.Memo;

/// <summary>The content-addressed cache of stage outputs.
/// <code>
/// ROOT/entries/ab/abcdef...(64 hex)/manifest.json   one folder per memo key
///                                  /*.parquet       the codec's files
/// ROOT/tmp/KEY.GUID/                                entries being written, renamed into entries/ when complete
/// ROOT/locks/ab/KEY.lock                            held (an OS file lock) by the process computing the key
/// </code>
/// An entry becomes visible only by an atomic folder rename after all its files and its manifest
/// are on disk, so a crash leaves at most a folder under tmp/, which lookups never see. Every
/// lookup re-checks the manifest and every file's size and SHA-256; an entry that fails is logged,
/// deleted and reported as <see cref="MemoLookup.Corrupt"/>, never returned.</summary>
public sealed class MemoStore : IOutputContents
{
    readonly ILogger _logger;
    readonly TimeProvider _time;

    public MemoStore(string root, ILogger logger, TimeProvider time)
    {
        Root = Path.GetFullPath(root);
        _logger = logger;
        _time = time;
    }

    public string Root { get; }
    string EntriesRoot => Path.Combine(Root, "entries");
    string TempRoot => Path.Combine(Root, "tmp");

    public string EntryDirectory(StageKey key) => Path.Combine(EntriesRoot, key.Hex[..2], key.Hex);

    /// <summary>The lock file of a key (see <see cref="LockAsync"/>).</summary>
    public string LockFile(StageKey key) => Path.Combine(Root, "locks", key.Hex[..2], key.Hex + ".lock");

    /// <summary>Takes the key's lock, shared by every process using this cache, waiting while another
    /// holds it (that process is computing the stage; the waiter then finds its entry). The holder looks
    /// up, computes, writes and publishes; disposing releases it. The OS releases the lock of a process
    /// that dies, so a crash never blocks the others. <paramref name="waiting"/> is called once, when
    /// this has to wait; cancellation ends the wait.</summary>
    public async Task<IDisposable> LockAsync(StageKey key, string stage, Action? waiting, CancellationToken ct) =>
        await FileLocks.TakeAsync(LockFile(key), exclusive: true, _time, () =>
        {
            _logger.LogWarning("stage '{Stage}': waiting for another process that is computing it (it holds {Lock})", stage, LockFile(key));
            waiting?.Invoke();
        }, ct).ConfigureAwait(false);

    /// <summary>Finds and verifies the entry for <paramref name="key"/>. A corrupt entry is deleted.</summary>
    public async Task<MemoLookup> LookupAsync(StageKey key, string stage, CancellationToken ct)
    {
        var directory = EntryDirectory(key);
        if (!Directory.Exists(directory)) return new MemoLookup.Miss();
        var problem = await VerifyAsync(directory, key, stage, ct).ConfigureAwait(false);
        if (problem.Entry is { } entry) return new MemoLookup.Hit(entry);
        _logger.LogWarning("cache entry {Key} of stage '{Stage}' is corrupt ({Reason}); it is removed and will be recomputed",
            key.Short, stage, problem.Reason);
        Remove(directory);
        return new MemoLookup.Corrupt(problem.Reason!);
    }

    /// <summary>Like <see cref="LookupAsync"/> but changes nothing on disk (for status reports).</summary>
    public async Task<MemoLookup> InspectAsync(StageKey key, string stage, CancellationToken ct)
    {
        var directory = EntryDirectory(key);
        if (!Directory.Exists(directory)) return new MemoLookup.Miss();
        var problem = await VerifyAsync(directory, key, stage, ct).ConfigureAwait(false);
        return problem.Entry is { } entry ? new MemoLookup.Hit(entry) : new MemoLookup.Corrupt(problem.Reason!);
    }

    /// <summary>The output hash of the key's verified entry (<see cref="InspectAsync"/>: nothing changes on disk).</summary>
    public async Task<string?> ContentOfAsync(StageKey key, string stage, CancellationToken ct) =>
        await InspectAsync(key, stage, ct).ConfigureAwait(false) is MemoLookup.Hit hit ? OutputContent.Of(hit.Entry.Manifest) : null;

    /// <summary>Writes <paramref name="value"/> with its codec as the entry of the stage's key,
    /// atomically, replacing any entry already there (a forced rerun).</summary>
    public async Task<MemoEntry> WriteAsync(KeyMaterial material, IStageCodec codec, object value, double seconds, CancellationToken ct,
        ImmutableSortedDictionary<string, double>? measurements = null)
    {
        var key = material.Key;
        var temp = Path.Combine(TempRoot, $"{key.Hex}.{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(temp);
            var names = await codec.WriteAsync(value, temp, ct).ConfigureAwait(false);
            var files = ImmutableArray.CreateBuilder<ManifestFile>(names.Length);
            foreach (var name in names)
            {
                var path = Path.Combine(temp, name);
                files.Add(new ManifestFile(name, new FileInfo(path).Length, await FileHashing.Sha256Async(path, ct).ConfigureAwait(false)));
            }
            var manifest = new MemoManifest(
                MemoManifest.CurrentFormat, material.Stage, material.Version, material.Codec, key.Hex,
                material.Inputs.ToImmutableSortedDictionary(p => p.Key, p => p.Value.Hex, StringComparer.Ordinal),
                material.External.WithComparers(StringComparer.Ordinal),
                JsonNode.Parse(material.CanonicalConfig),
                codec.RowCounts(value), seconds, _time.GetUtcNow(), files.ToImmutable(), measurements,
                material.InputContents.IsEmpty ? null : material.InputContents.WithComparers(StringComparer.Ordinal));
            await WriteDurablyAsync(Path.Combine(temp, MemoManifest.FileName), manifest.ToJson(), ct).ConfigureAwait(false);

            var final = EntryDirectory(key);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            if (Directory.Exists(final)) Remove(final);
            Directory.Move(temp, final);
            _logger.LogDebug("stored stage '{Stage}' as cache entry {Key}", material.Stage, key.Short);
            return new MemoEntry(final, manifest);
        }
        catch (Exception e)
        {
            Remove(temp);
            // The file system's message ("No space left on device : PATH") says neither that the stage's
            // own work succeeded nor what a rerun does.
            if (e is IOException or UnauthorizedAccessException)
                throw new IOException($"its result could not be stored in the cache {Root} ({e.Message.TrimEnd('.')}); a rerun computes it again", e);
            throw;
        }
    }

    /// <summary>Deletes leftovers of interrupted writes older than <paramref name="age"/>; they are
    /// never read, this only frees space.</summary>
    public int PruneTemp(TimeSpan age)
    {
        if (!Directory.Exists(TempRoot)) return 0;
        var cutoff = _time.GetUtcNow() - age;
        var removed = 0;
        foreach (var directory in Directory.EnumerateDirectories(TempRoot))
        {
            if (Directory.GetLastWriteTimeUtc(directory) >= cutoff.UtcDateTime) continue;
            Remove(directory);
            removed++;
        }
        return removed;
    }

    async Task<(MemoEntry? Entry, string? Reason)> VerifyAsync(string directory, StageKey key, string stage, CancellationToken ct)
    {
        var manifestPath = Path.Combine(directory, MemoManifest.FileName);
        if (!File.Exists(manifestPath)) return (null, "manifest.json is missing");
        MemoManifest? manifest;
        try
        {
            manifest = MemoManifest.FromJson(await File.ReadAllTextAsync(manifestPath, ct).ConfigureAwait(false));
        }
        catch (JsonException e)
        {
            return (null, $"manifest.json is not valid: {e.Message}");
        }
        if (manifest is null || manifest.Files.IsDefault) return (null, "manifest.json is empty");
        if (manifest.Format != MemoManifest.CurrentFormat) return (null, $"manifest format '{manifest.Format}' is not {MemoManifest.CurrentFormat}");
        if (manifest.Key != key.Hex) return (null, $"manifest names key {manifest.Key}, the folder {key.Hex}");
        if (manifest.Stage != stage) return (null, $"manifest names stage '{manifest.Stage}', expected '{stage}'");
        return await ManifestFiles.CheckAsync(directory, manifest.Files, ct).ConfigureAwait(false) is { } problem
            ? (null, problem.ToString())
            : (new MemoEntry(directory, manifest), null);
    }

    /// <summary>Removes a folder by first renaming it into tmp/ (atomic), so a half-deleted
    /// entry is never visible under entries/.</summary>
    void Remove(string directory)
    {
        if (!Directory.Exists(directory)) return;
        var doomed = directory;
        if (!directory.StartsWith(TempRoot, StringComparison.Ordinal))
        {
            Directory.CreateDirectory(TempRoot);
            doomed = Path.Combine(TempRoot, $"{Path.GetFileName(directory)}.removed.{Guid.NewGuid():N}");
            Directory.Move(directory, doomed);
        }
        try
        {
            Directory.Delete(doomed, recursive: true);
        }
        catch (IOException e)
        {
            // Left under tmp/, where nothing reads it; PruneTemp retries later.
            _logger.LogDebug("could not delete {Directory}: {Message}", doomed, e.Message);
        }
    }

    internal static async Task WriteDurablyAsync(string path, string text, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Seconds elapsed since <paramref name="start"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    internal static double SecondsSince(long start) => Stopwatch.GetElapsedTime(start).TotalSeconds;
}

using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llm4Sbr.Core.Files;
using Llm4Sbr.Engine.Memo;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Engine.Runs;

/// <summary><c>manifest.json</c> of a stage folder in a run's output folder: the cache entry it
/// shows (by key and path), whether this run took it from the cache, its files, and what the stage
/// measured when the entry was computed (at <c>measured_utc</c>); <c>input_contents</c>, as in the cache
/// entry's manifest, only for a stage that reads a content-keyed stage.</summary>
public sealed record RunStageManifest(
    string Stage,
    string Version,
    string Key,
    string CacheEntry,
    bool Cached,
    double Seconds,
    DateTimeOffset PublishedUtc,
    ImmutableSortedDictionary<string, string> Inputs,
    JsonNode? Config,
    ImmutableSortedDictionary<string, long> Rows,
    ImmutableArray<ManifestFile> Files,
    ImmutableSortedDictionary<string, double>? Measurements = null,
    DateTimeOffset? MeasuredUtc = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    ImmutableSortedDictionary<string, string>? InputContents = null)
{
    public string ToJson() => JsonSerializer.Serialize(this, MemoManifest.Json);
    public static RunStageManifest? FromJson(string json) => JsonSerializer.Deserialize<RunStageManifest>(json, MemoManifest.Json);
}

/// <summary>The folder a user looks at: <c>runs/PIPELINE/STAGE/</c> (or <c>--out DIR/STAGE/</c>)
/// holds each stage's Parquet files (its own: reflinks of the cache's files where the file system
/// clones, copies otherwise; see <see cref="FileClones"/>) and a manifest that points at the cache key.
/// Each stage folder is replaced atomically.</summary>
public sealed class RunOutputs(string directory, ILogger logger, TimeProvider time)
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public string StageDirectory(string stage) => Path.Combine(Directory, stage);

    public async Task PublishAsync(MemoEntry entry, bool cached, double seconds, CancellationToken ct)
    {
        var manifest = entry.Manifest;
        var temp = Path.Combine(Directory, $".{manifest.Stage}.{Guid.NewGuid():N}.tmp");
        try
        {
            System.IO.Directory.CreateDirectory(temp);
            foreach (var file in manifest.Files)
                FileClones.CloneOrCopy(entry.PathOf(file.Name), Path.Combine(temp, file.Name));
            var runManifest = new RunStageManifest(manifest.Stage, manifest.Version, manifest.Key, entry.Directory, cached,
                seconds, time.GetUtcNow(), manifest.Inputs, manifest.Config, manifest.Rows, manifest.Files,
                manifest.Measurements, manifest.CreatedUtc, manifest.InputContents);
            await MemoStore.WriteDurablyAsync(Path.Combine(temp, MemoManifest.FileName), runManifest.ToJson(), ct).ConfigureAwait(false);
            var final = StageDirectory(manifest.Stage);
            if (System.IO.Directory.Exists(final))
            {
                var old = Path.Combine(Directory, $".{manifest.Stage}.{Guid.NewGuid():N}.old");
                System.IO.Directory.Move(final, old);
                System.IO.Directory.Delete(old, recursive: true);
            }
            System.IO.Directory.Move(temp, final);
        }
        catch (Exception e)
        {
            RemoveQuietly(temp);
            // The copy's own message can lack the path (a full disk: "No space left on device"), and the
            // stage itself did not fail: its result is in the cache, so a rerun only has to publish it.
            if (e is IOException or UnauthorizedAccessException)
                throw new IOException($"cannot write the run folder {StageDirectory(manifest.Stage)} ({e.Message.TrimEnd('.')}); "
                    + "the stage's result is in the cache, a rerun reuses it", e);
            throw;
        }
        logger.LogDebug("published stage '{Stage}' to {Directory}", manifest.Stage, StageDirectory(manifest.Stage));
    }

    /// <summary>The manifest the last run left for <paramref name="stage"/>, if any and readable.</summary>
    public RunStageManifest? ReadManifest(string stage)
    {
        var path = Path.Combine(StageDirectory(stage), MemoManifest.FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return RunStageManifest.FromJson(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes <c>run.json</c>, the run's summary, next to the stage folders.</summary>
    public Task WriteSummaryAsync(string json, CancellationToken ct) => WriteFileAsync("run.json", json, ct);

    /// <summary>Writes <c>timings.md</c> (<see cref="TimingsMarkdown"/>) next to the stage folders.</summary>
    public Task WriteTimingsAsync(string markdown, CancellationToken ct) => WriteFileAsync("timings.md", markdown, ct);

    Task WriteFileAsync(string name, string text, CancellationToken ct) =>
        AtomicFile.WriteAllTextAsync(Path.Combine(Directory, name), text, ct);

    /// <summary>Removes a half-written folder; a failure to remove it (the disk that failed the write) must
    /// not hide the failure that is being reported, and the folder's dot name keeps it out of the run's view.</summary>
    void RemoveQuietly(string temp)
    {
        try
        {
            if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("could not remove the partial run folder {Folder}: {Reason}", temp, e.Message);
        }
    }
}

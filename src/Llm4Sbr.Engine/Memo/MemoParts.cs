using System.Collections.Immutable;
using System.Diagnostics;
using LanguageExt;
using Llm4Sbr.Engine.Keys;
using Llm4Sbr.Engine.Stages;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Engine.Memo;

/// <summary>Stage parts in the memo store: an entry per part, under the stage name
/// <c>STAGE/part</c>, keyed as <see cref="StagePart"/> says. Lookups verify the entry like a stage's;
/// an entry its codec cannot read is logged and recomputed. <paramref name="recompute"/> (a forced
/// stage, <c>--force</c>) computes every part again and replaces what is stored.</summary>
public sealed class MemoParts(MemoStore store, string stage, ILogger logger, bool recompute = false) : IStageParts
{
    /// <summary>The stage name of the parts of <paramref name="stage"/> in manifests.</summary>
    public static string PartStage(string stage) => stage + "/part";

    public static StageKey KeyOf(string stage, StagePart part, IStageCodec codec) => Material(stage, part, codec).Key;

    static KeyMaterial Material(string stage, StagePart part, IStageCodec codec) =>
        new(PartStage(stage), part.Version, codec.Id, part.CanonicalConfig,
            ImmutableSortedDictionary<string, StageKey>.Empty, ImmutableSortedDictionary<string, string>.Empty);

    /// <summary>The scratch folder of the part of key <paramref name="key"/>: <c>resume/KEY</c> under the store's root.</summary>
    public static string ScratchFolder(MemoStore store, StageKey key) => Path.Combine(store.Root, "resume", key.Hex);

    public Task<Fin<PartOutcome<T>>> GetOrComputeAsync<T>(StagePart part, StageCodec<T> codec, Func<Fin<PartResult<T>>> compute, CancellationToken ct)
        where T : class => GetOrComputeAsync(part, codec, _ => compute(), ct);

    public async Task<Fin<PartOutcome<T>>> GetOrComputeAsync<T>(StagePart part, StageCodec<T> codec, Func<string?, Fin<PartResult<T>>> compute, CancellationToken ct)
        where T : class
    {
        var material = Material(stage, part, codec);
        var name = PartStage(stage);
        var scratch = ScratchFolder(store, material.Key);
        using var held = await store.LockAsync(material.Key, name, null, ct).ConfigureAwait(false);
        if (recompute) RemoveScratch(scratch);
        if (!recompute && await store.LookupAsync(material.Key, name, ct).ConfigureAwait(false) is MemoLookup.Hit hit)
        {
            var read = await codec.ReadAsync(hit.Entry.Directory, ct).ConfigureAwait(false);
            if (read.Case is T value)
            {
                logger.LogInformation("stage '{Stage}': {Part} reused from cache entry {Key} (computed {Computed:u})",
                    stage, part.Name, material.Key.Short, hit.Entry.Manifest.CreatedUtc);
                return new PartOutcome<T>(value, true, hit.Entry.Manifest.Measurements ?? ImmutableSortedDictionary<string, double>.Empty);
            }
            logger.LogWarning("stage '{Stage}': {Part}'s cache entry {Key} cannot be read ({Reason}); it is recomputed",
                stage, part.Name, material.Key.Short, read.Match(_ => "", e => e.Message));
        }
        var started = Stopwatch.GetTimestamp();
        var computed = compute(scratch);
        if (computed.Case is not PartResult<T> result) return computed.Map(r => new PartOutcome<T>(r.Value, false, r.Measurements));
        await store.WriteAsync(material, codec, result.Value, MemoStore.SecondsSince(started), ct, result.Measurements).ConfigureAwait(false);
        RemoveScratch(scratch);
        return new PartOutcome<T>(result.Value, false, result.Measurements);
    }

    void RemoveScratch(string scratch)
    {
        if (!Directory.Exists(scratch)) return;
        try
        {
            Directory.Delete(scratch, recursive: true);
        }
        catch (IOException e)
        {
            // Harmless: a stale scratch folder is only read by a computation of the same part.
            logger.LogWarning("stage '{Stage}': could not remove the scratch folder {Folder}: {Message}", stage, scratch, e.Message);
        }
    }
}

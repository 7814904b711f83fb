using System.Collections.Immutable;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Keys;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Runs;

namespace Llm4Sbr.Engine.Dataflow;

public enum CacheState
{
    /// <summary>The cache holds a verified entry for the stage's current key.</summary>
    Cached,
    /// <summary>The stage was computed before, but not for its current key (its configuration,
    /// version, an input or a source file changed since), or its entry is corrupt.</summary>
    Stale,
    /// <summary>Never computed for this pipeline.</summary>
    Missing,
    /// <summary>Its key is not known yet: it reads a content-keyed stage that must run first; its key is
    /// computed from that stage's output then, and looked up (an unchanged output keeps it cached).</summary>
    Pending,
}

/// <summary>A stage's state in the cache; <see cref="Key"/> is null while <see cref="CacheState.Pending"/>.</summary>
public sealed record StageState(string Name, StageKey? Key, CacheState State, string Detail, ImmutableSortedDictionary<string, long> Rows);

/// <summary>What a run would find, without running or changing anything.</summary>
public static class PipelineStatus
{
    public static async Task<ImmutableArray<StageState>> InspectAsync(PipelinePlan plan, MemoStore store, RunOutputs? outputs, CancellationToken ct)
    {
        // The readers of cached content-keyed stages are keyed from the outputs the cache holds.
        var keyed = await PipelinePlanner.KeyAsync(plan, store, ct).ConfigureAwait(false);
        var states = ImmutableArray.CreateBuilder<StageState>();
        foreach (var stage in keyed.Stages)
        {
            var last = outputs?.ReadManifest(stage.Name);
            if (stage.Key is not { } key)
            {
                var awaited = string.Join(", ", stage.AwaitedOutputs);
                states.Add(new StageState(stage.Name, null, CacheState.Pending,
                    $"key known after {awaited} runs (it reads {awaited}'s output, not its key: if that output is unchanged, this stage stays cached"
                    + (last is null ? ")" : $", with key {last.Key[..12]} of the last run)"),
                    ImmutableSortedDictionary<string, long>.Empty));
                continue;
            }
            var lookup = await store.InspectAsync(key, stage.Name, ct).ConfigureAwait(false);
            states.Add(lookup switch
            {
                MemoLookup.Hit hit => new StageState(stage.Name, key, CacheState.Cached,
                    $"computed {hit.Entry.Manifest.CreatedUtc:yyyy-MM-dd HH:mm:ss}Z in {hit.Entry.Manifest.Seconds:F2} s", hit.Entry.Manifest.Rows),
                MemoLookup.Corrupt corrupt => new StageState(stage.Name, key, CacheState.Stale,
                    $"cache entry is corrupt ({corrupt.Reason}); it will be recomputed", ImmutableSortedDictionary<string, long>.Empty),
                _ when last is not null && last.Key != key.Hex => new StageState(stage.Name, key, CacheState.Stale,
                    $"last run used key {last.Key[..12]}; its configuration, version or inputs changed since", last.Rows),
                _ => new StageState(stage.Name, key, CacheState.Missing, "not computed yet", ImmutableSortedDictionary<string, long>.Empty),
            });
        }
        return states.ToImmutable();
    }
}

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
}

public sealed record StageState(string Name, StageKey Key, CacheState State, string Detail, ImmutableSortedDictionary<string, long> Rows);

/// <summary>What a run would find, without running or changing anything.</summary>
public static class PipelineStatus
{
    public static async Task<ImmutableArray<StageState>> InspectAsync(PipelinePlan plan, MemoStore store, RunOutputs? outputs, CancellationToken ct)
    {
        var states = ImmutableArray.CreateBuilder<StageState>();
        foreach (var stage in plan.Stages)
        {
            var lookup = await store.InspectAsync(stage.Key, stage.Name, ct).ConfigureAwait(false);
            var last = outputs?.ReadManifest(stage.Name);
            states.Add(lookup switch
            {
                MemoLookup.Hit hit => new StageState(stage.Name, stage.Key, CacheState.Cached,
                    $"computed {hit.Entry.Manifest.CreatedUtc:yyyy-MM-dd HH:mm:ss}Z in {hit.Entry.Manifest.Seconds:F2} s", hit.Entry.Manifest.Rows),
                MemoLookup.Corrupt corrupt => new StageState(stage.Name, stage.Key, CacheState.Stale,
                    $"cache entry is corrupt ({corrupt.Reason}); it will be recomputed", ImmutableSortedDictionary<string, long>.Empty),
                _ when last is not null && last.Key != stage.Key.Hex => new StageState(stage.Name, stage.Key, CacheState.Stale,
                    $"last run used key {last.Key[..12]}; its configuration, version or inputs changed since", last.Rows),
                _ => new StageState(stage.Name, stage.Key, CacheState.Missing, "not computed yet", ImmutableSortedDictionary<string, long>.Empty),
            });
        }
        return states.ToImmutable();
    }
}

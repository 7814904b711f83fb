using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Engine.Tests.Support;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Tests;

/// <summary>Parts of a stage memoized in the engine's store (<see cref="MemoParts"/>): computed once,
/// reused with the measurements of the run that computed them, recomputed when damaged, never stored
/// when they fail, and keyed by their configuration.</summary>
public sealed class StagePartsTests : IDisposable
{
    readonly Workspace _workspace = new();
    readonly NumbersCodec _codec;
    static readonly ImmutableSortedDictionary<string, double> Timing =
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("fit_seconds", 12.5)]);

    public StagePartsTests() => _codec = new NumbersCodec("train", _workspace.Log);

    public void Dispose() => _workspace.Dispose();

    MemoParts Parts() => new(_workspace.Store, "train", _workspace.Logger);

    static StagePart Part(string config = """{"model":"a","seed":1}""") => new("a seed 1", "1", config);

    Func<Fin<PartResult<Numbers>>> Counting(List<int> calls, params long[] values) => () =>
    {
        calls.Add(1);
        return new PartResult<Numbers>(new Numbers([.. values]), Timing);
    };

    [Fact]
    public async Task A_part_is_computed_once_and_then_reused_with_the_measurements_of_the_run_that_computed_it()
    {
        var calls = new List<int>();
        var first = await Parts().GetOrComputeAsync(Part(), _codec, Counting(calls, 1, 2, 3), CancellationToken.None);
        var second = await Parts().GetOrComputeAsync(Part(), _codec, Counting(calls, 9), CancellationToken.None);

        Assert.Single(calls);
        var (firstValue, firstReused, _) = first.ThrowIfFail();
        var (secondValue, secondReused, measurements) = second.ThrowIfFail();
        Assert.False(firstReused);
        Assert.True(secondReused);
        Assert.Equal(new long[] { 1, 2, 3 }, firstValue.Values.ToArray());
        Assert.Equal(new long[] { 1, 2, 3 }, secondValue.Values.ToArray());
        Assert.Equal(12.5, measurements["fit_seconds"]);
    }

    [Fact]
    public async Task Another_configuration_or_version_is_another_part()
    {
        var calls = new List<int>();
        await Parts().GetOrComputeAsync(Part(), _codec, Counting(calls, 1), CancellationToken.None);
        var other = await Parts().GetOrComputeAsync(Part("""{"model":"a","seed":2}"""), _codec, Counting(calls, 2), CancellationToken.None);
        var newer = await Parts().GetOrComputeAsync(Part() with { Version = "2" }, _codec, Counting(calls, 3), CancellationToken.None);

        Assert.Equal(3, calls.Count);
        Assert.Equal(new long[] { 2 }, other.ThrowIfFail().Value.Values.ToArray());
        Assert.Equal(new long[] { 3 }, newer.ThrowIfFail().Value.Values.ToArray());
    }

    [Fact]
    public async Task A_failure_is_returned_and_not_stored()
    {
        var calls = new List<int>();
        var failed = await Parts().GetOrComputeAsync<Numbers>(Part(), _codec, () => { calls.Add(1); return FinFail<PartResult<Numbers>>(Error.New("diverged")); }, CancellationToken.None);
        var retried = await Parts().GetOrComputeAsync(Part(), _codec, Counting(calls, 4), CancellationToken.None);

        Assert.Equal("diverged", failed.Match(_ => "", e => e.Message));
        Assert.Equal(2, calls.Count);
        Assert.False(retried.ThrowIfFail().Reused);
    }

    [Fact]
    public async Task A_damaged_part_is_recomputed_not_returned()
    {
        var calls = new List<int>();
        await Parts().GetOrComputeAsync(Part(), _codec, Counting(calls, 1, 2), CancellationToken.None);
        var entry = _workspace.Store.EntryDirectory(MemoParts.KeyOf("train", Part(), _codec));
        var table = Directory.GetFiles(entry, "*.parquet").Single();
        File.WriteAllBytes(table, [.. File.ReadAllBytes(table).Take(10)]);

        var again = await Parts().GetOrComputeAsync(Part(), _codec, Counting(calls, 1, 2), CancellationToken.None);

        Assert.Equal(2, calls.Count);
        Assert.False(again.ThrowIfFail().Reused);
        Assert.Equal(new long[] { 1, 2 }, again.ThrowIfFail().Value.Values.ToArray());
    }

    [Fact]
    public async Task A_part_its_codec_cannot_read_is_recomputed()
    {
        var calls = new List<int>();
        await Parts().GetOrComputeAsync(Part(), _codec, Counting(calls, 5), CancellationToken.None);
        _workspace.Log.BrokenReads["train"] = true;

        var again = await Parts().GetOrComputeAsync(Part(), _codec, Counting(calls, 5), CancellationToken.None);

        Assert.Equal(2, calls.Count);
        Assert.False(again.ThrowIfFail().Reused);
        Assert.Contains(_workspace.Logger.Warnings, m => m.Contains("cannot be read"));
    }

    [Fact]
    public async Task A_forced_stage_recomputes_its_parts_and_replaces_them()
    {
        var calls = new List<int>();
        await Parts().GetOrComputeAsync(Part(), _codec, Counting(calls, 1), CancellationToken.None);
        var forced = await new MemoParts(_workspace.Store, "train", _workspace.Logger, recompute: true)
            .GetOrComputeAsync(Part(), _codec, Counting(calls, 2), CancellationToken.None);
        var after = await Parts().GetOrComputeAsync(Part(), _codec, Counting(calls, 3), CancellationToken.None);

        Assert.Equal(2, calls.Count);
        Assert.False(forced.ThrowIfFail().Reused);
        Assert.Equal(new long[] { 2 }, after.ThrowIfFail().Value.Values.ToArray());
    }

    [Fact]
    public async Task Without_a_store_every_part_is_computed()
    {
        var calls = new List<int>();
        await UnmemoizedParts.Instance.GetOrComputeAsync(Part(), _codec, Counting(calls, 1), CancellationToken.None);
        var second = await UnmemoizedParts.Instance.GetOrComputeAsync(Part(), _codec, Counting(calls, 1), CancellationToken.None);

        Assert.Equal(2, calls.Count);
        Assert.False(second.ThrowIfFail().Reused);
    }

    /// <summary>A part's scratch folder outlives a failed (or killed) computation, so the next one can
    /// resume from what it left; it is removed once the part is stored, and before a forced recomputation.</summary>
    [Fact]
    public async Task A_parts_scratch_folder_survives_a_failure_and_goes_once_the_part_is_stored()
    {
        var seen = new List<string?>();
        Fin<PartResult<Numbers>> Fail(string? scratch)
        {
            seen.Add(scratch);
            Directory.CreateDirectory(scratch!);
            File.WriteAllText(Path.Combine(scratch!, "epoch-0001"), "progress");
            return FinFail<PartResult<Numbers>>(Error.New("killed"));
        }
        Fin<PartResult<Numbers>> Succeed(string? scratch)
        {
            seen.Add(scratch);
            Assert.True(File.Exists(Path.Combine(scratch!, "epoch-0001")), "the failed computation's progress is there");
            return new PartResult<Numbers>(new Numbers([7]), Timing);
        }

        await Parts().GetOrComputeAsync(Part(), _codec, Fail, CancellationToken.None);
        var stored = await Parts().GetOrComputeAsync(Part(), _codec, Succeed, CancellationToken.None);

        var folder = MemoParts.ScratchFolder(_workspace.Store, MemoParts.KeyOf("train", Part(), _codec));
        Assert.Equal([folder, folder], seen);
        Assert.Equal(new long[] { 7 }, stored.ThrowIfFail().Value.Values.ToArray());
        Assert.False(Directory.Exists(folder));

        await Parts().GetOrComputeAsync(Part("""{"model":"b","seed":1}"""), _codec, Fail, CancellationToken.None);
        var other = MemoParts.ScratchFolder(_workspace.Store, MemoParts.KeyOf("train", Part("""{"model":"b","seed":1}"""), _codec));
        Assert.True(Directory.Exists(other));
        await new MemoParts(_workspace.Store, "train", _workspace.Logger, recompute: true)
            .GetOrComputeAsync(Part("""{"model":"b","seed":1}"""), _codec, scratch => { Assert.False(Directory.Exists(scratch)); return Succeed2(); }, CancellationToken.None);

        Fin<PartResult<Numbers>> Succeed2() => new PartResult<Numbers>(new Numbers([8]), Timing);
        string? none = "unset";
        await UnmemoizedParts.Instance.GetOrComputeAsync(Part(), _codec, scratch => { none = scratch; return Succeed2(); }, CancellationToken.None);
        Assert.Null(none);
    }
}

using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Stages.Data.Codecs;

/// <summary>Parquet layout of the <c>samples</c> stage's <see cref="SampleSet"/>: one row per
/// sample with its prefix as a <c>list&lt;int32&gt;</c> (one row per sample joins naturally with
/// later per-sample tables by <c>sample_id</c>; the long form would multiply rows by ~9).</summary>
public sealed class SampleSetCodec : StageCodec<SampleSet>
{
    public static SampleSetCodec Instance { get; } = new();

    static readonly ParquetTable<Sample> Samples = new("samples.parquet",
        "Next-item samples: train rows first, then test rows, in sample id order.",
        Col.Int64<Sample>("sample_id", "Unique across train and test; the join key of later stages.", s => s.Id),
        Col.Int64<Sample>("session_id", "The session the sample comes from.", s => s.SessionId),
        Col.String<Sample>("part", "'train' or 'test'.", s => SplitParts.Name(s.Part)),
        Col.Int32List<Sample>("prefix", "Item ids clicked so far, in order.", s => s.Prefix),
        Col.Int32<Sample>("target", "The next item, to predict.", s => s.Target));

    public override string Id => "sample-set/1";
    public override ImmutableArray<TableDoc> Tables => [Samples.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(SampleSet value, string directory, CancellationToken ct)
    {
        await Samples.WriteAsync(directory, [.. value.Train, .. value.Test], ct).ConfigureAwait(false);
        return [Samples.File];
    }

    public override async Task<Fin<SampleSet>> ReadAsync(string directory, CancellationToken ct) =>
        from t in await Samples.ReadAsync(directory, ct).ConfigureAwait(false)
        from parts in SplitParts.Rows(t.String("part"), t.Path)
        select new SampleSet(ToSamples(t, parts.Train, SplitPart.Train), ToSamples(t, parts.Test, SplitPart.Test));

    public override ImmutableSortedDictionary<string, long> RowCounts(SampleSet value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("train", (long)value.Train.Length),
            KeyValuePair.Create("test", (long)value.Test.Length),
        ]);

    /// <summary>The samples of <paramref name="rows"/> of a table with this codec's <c>sample_id</c>,
    /// <c>session_id</c>, <c>prefix</c> and <c>target</c> columns, all of <paramref name="part"/>.</summary>
    internal static ImmutableArray<Sample> ToSamples(TableData t, IReadOnlyCollection<int> rows, SplitPart part)
    {
        var (ids, sessions, prefixes, targets) = (t.Int64("sample_id"), t.Int64("session_id"), t.Int32List("prefix"), t.Int32("target"));
        var samples = ImmutableArray.CreateBuilder<Sample>(rows.Count);
        foreach (var i in rows) samples.Add(new Sample(ids[i], sessions[i], part, prefixes[i], targets[i]));
        return samples.MoveToImmutable();
    }
}

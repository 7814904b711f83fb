using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Stages.Data.Codecs;

/// <summary>Parquet layout of the <c>split</c> stage's <see cref="SplitSet"/>: one table, train
/// rows then test rows, each part in its order.</summary>
public sealed class SplitSetCodec : StageCodec<SplitSet>
{
    public static SplitSetCodec Instance { get; } = new();

    static readonly ParquetTable<(SplitPart Part, Session Session)> Split = new("split.parquet",
        "Sessions with their part: train rows first, then test rows, each in canonical order.",
        Col.String<(SplitPart Part, Session Session)>("part", "'train' or 'test'.", r => SplitParts.Name(r.Part)),
        Col.Int64<(SplitPart Part, Session Session)>("session_id", "Session id (from the sessions stage).", r => r.Session.Id),
        Col.Int64<(SplitPart Part, Session Session)>("session_key", "The source's session or user id.", r => r.Session.Key),
        Col.Int64<(SplitPart Part, Session Session)>("bucket", "Time bucket; 0 when not bucketed.", r => r.Session.Bucket),
        Col.Int32List<(SplitPart Part, Session Session)>("items", "Item ids in click order.", r => r.Session.Items));

    public override string Id => "split-set/1";
    public override ImmutableArray<TableDoc> Tables => [Split.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(SplitSet value, string directory, CancellationToken ct)
    {
        var rows = value.Train.Select(s => (SplitPart.Train, s)).Concat(value.Test.Select(s => (SplitPart.Test, s))).ToList();
        await Split.WriteAsync(directory, rows, ct).ConfigureAwait(false);
        return [Split.File];
    }

    public override async Task<Fin<SplitSet>> ReadAsync(string directory, CancellationToken ct) =>
        from t in await Split.ReadAsync(directory, ct).ConfigureAwait(false)
        from parts in SplitParts.Rows(t.String("part"), t.Path)
        select new SplitSet(SessionSetCodec.ToSessions(t, parts.Train), SessionSetCodec.ToSessions(t, parts.Test));

    public override ImmutableSortedDictionary<string, long> RowCounts(SplitSet value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("train", (long)value.Train.Length),
            KeyValuePair.Create("test", (long)value.Test.Length),
        ]);
}

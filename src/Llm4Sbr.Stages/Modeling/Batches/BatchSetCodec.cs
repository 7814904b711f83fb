using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Training.Batching;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Batches;

/// <summary>Parquet layout of <see cref="BatchSet"/>: the vocabulary, and one row per sample with its
/// prefix as dense item indices, so any batch format is assembled from it without the item ids.</summary>
public sealed class BatchSetCodec : StageCodec<BatchSet>
{
    public static BatchSetCodec Instance { get; } = new();

    internal const string TrainPart = "train";
    internal const string TestPart = "test";

    sealed record Row(string Part, PreparedSample Sample);

    sealed record VocabularyRow(int Index, int ItemId);

    static readonly ParquetTable<VocabularyRow> VocabularyTable = new("vocabulary.parquet",
        "Dense item indices: index i (1..n) scores item_id; index 0 is padding and has no row.",
        Col.Int32<VocabularyRow>("index", "Dense index, 1..n, ascending.", r => r.Index),
        Col.Int32<VocabularyRow>("item_id", "Item id as in the source.", r => r.ItemId));

    static readonly ParquetTable<Row> SamplesTable = new("samples.parquet",
        "One row per sample, encoded with the vocabulary: train rows first, then test rows, each in sample id order.",
        Col.Int64<Row>("sample_id", "The sample (join key with samples, session graphs and view embeddings).", r => r.Sample.Id),
        Col.Int64<Row>("session_id", "The session the sample comes from.", r => r.Sample.SessionId),
        Col.String<Row>("part", "'train' or 'test' (validation is carved from train by the train stage).", r => r.Part),
        Col.Int32<Row>("target", "Dense index of the next item, to predict.", r => r.Sample.Target),
        Col.Int32List<Row>("items", "The prefix as dense item indices, oldest first.", r => r.Sample.Items));

    public override string Id => "batch-set/2";
    public override ImmutableArray<TableDoc> Tables => [VocabularyTable.Doc, SamplesTable.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(BatchSet value, string directory, CancellationToken ct)
    {
        var vocabulary = Enumerable.Range(1, value.Vocabulary.Count).Select(i => new VocabularyRow(i, value.Vocabulary.IdAt(i))).ToList();
        await VocabularyTable.WriteAsync(directory, vocabulary, ct).ConfigureAwait(false);
        var rows = new List<Row>(value.Train.Count + value.Test.Count);
        rows.AddRange(value.Train.Samples.Select(s => new Row(TrainPart, s)));
        rows.AddRange(value.Test.Samples.Select(s => new Row(TestPart, s)));
        await SamplesTable.WriteAsync(directory, rows, ct).ConfigureAwait(false);
        return [VocabularyTable.File, SamplesTable.File];
    }

    public override async Task<Fin<BatchSet>> ReadAsync(string directory, CancellationToken ct)
    {
        var vocabulary = await VocabularyTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var samples = await SamplesTable.ReadAsync(directory, ct).ConfigureAwait(false);
        return
            from v in vocabulary
            from ids in ToVocabulary(v)
            from t in samples
            from set in ToSets(t)
            select new BatchSet(ids, set.Train, set.Test);
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(BatchSet value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("items", (long)value.Vocabulary.Count),
            KeyValuePair.Create("train", (long)value.Train.Count),
            KeyValuePair.Create("test", (long)value.Test.Count),
        ]);

    static Fin<ItemVocabulary> ToVocabulary(TableData t)
    {
        var (indices, ids) = (t.Int32("index"), t.Int32("item_id"));
        var byIndex = new int[t.RowCount + 1];
        for (var i = 0; i < t.RowCount; i++)
        {
            if (indices[i] != i + 1)
                return FinFail<ItemVocabulary>(EngineErrors.ParquetSchema(t.Path, $"row {i}: index {indices[i]}, expected {i + 1}"));
            byIndex[i + 1] = ids[i];
        }
        return new ItemVocabulary([.. byIndex]);
    }

    static Fin<(PreparedSampleSet Train, PreparedSampleSet Test)> ToSets(TableData t)
    {
        var (ids, sessions, parts, targets, items) = (t.Int64("sample_id"), t.Int64("session_id"), t.String("part"), t.Int32("target"), t.Int32List("items"));
        var train = ImmutableArray.CreateBuilder<PreparedSample>();
        var test = ImmutableArray.CreateBuilder<PreparedSample>();
        for (var i = 0; i < t.RowCount; i++)
        {
            if (items[i].IsDefaultOrEmpty)
                return FinFail<(PreparedSampleSet, PreparedSampleSet)>(EngineErrors.ParquetSchema(t.Path, $"row {i} (sample {ids[i]}): no items"));
            var sample = new PreparedSample(ids[i], sessions[i], items[i], targets[i]);
            switch (parts[i])
            {
                case TrainPart: train.Add(sample); break;
                case TestPart: test.Add(sample); break;
                default:
                    return FinFail<(PreparedSampleSet, PreparedSampleSet)>(EngineErrors.ParquetSchema(t.Path,
                        $"row {i}: part '{parts[i]}' is not one of {TrainPart}, {TestPart}"));
            }
        }
        return (new PreparedSampleSet(train.ToImmutable()), new PreparedSampleSet(test.ToImmutable()));
    }
}

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
/// session graph as lists (nodes, click aliases, and the distinct edges with their degree-normalised
/// weights), so an epoch reads graphs instead of rebuilding them and other tools can inspect them.</summary>
public sealed class BatchSetCodec : StageCodec<BatchSet>
{
    public static BatchSetCodec Instance { get; } = new();

    const string TrainPart = "train";
    const string TestPart = "test";

    sealed record Row(string Part, PreparedSample Sample);

    sealed record VocabularyRow(int Index, int ItemId);

    static readonly ParquetTable<VocabularyRow> VocabularyTable = new("vocabulary.parquet",
        "Dense item indices: index i (1..n) scores item_id; index 0 is padding and has no row.",
        Col.Int32<VocabularyRow>("index", "Dense index, 1..n, ascending.", r => r.Index),
        Col.Int32<VocabularyRow>("item_id", "Item id as in the source.", r => r.ItemId));

    static readonly ParquetTable<Row> GraphsTable = new("graphs.parquet",
        "One SR-GNN session graph per sample: train rows first, then test rows, each in sample id order.",
        Col.Int64<Row>("sample_id", "The sample (join key with samples and view embeddings).", r => r.Sample.Id),
        Col.Int64<Row>("session_id", "The session the sample comes from.", r => r.Sample.SessionId),
        Col.String<Row>("part", "'train' or 'test' (validation is carved from train by the train stage).", r => r.Part),
        Col.Int32<Row>("target", "Dense index of the next item, to predict.", r => r.Sample.Target),
        Col.Int32List<Row>("nodes", "Distinct dense item indices of the prefix, ascending (the graph's nodes).", r => r.Sample.Graph.Nodes),
        Col.Int32List<Row>("alias", "Per click of the prefix, in order: its node (position in nodes).", r => r.Sample.Graph.Alias),
        Col.Int32List<Row>("edge_from", "Distinct transitions, sorted: sending node.", r => Edges(r, e => e.From)),
        Col.Int32List<Row>("edge_to", "Distinct transitions, sorted: receiving node.", r => Edges(r, e => e.To)),
        Col.FloatList<Row>("edge_in_weight", "1 / in-degree(edge_to): the incoming adjacency entry.", r => Weights(r, e => e.InWeight)),
        Col.FloatList<Row>("edge_out_weight", "1 / out-degree(edge_from): the outgoing adjacency entry.", r => Weights(r, e => e.OutWeight)));

    public override string Id => "batch-set/1";
    public override ImmutableArray<TableDoc> Tables => [VocabularyTable.Doc, GraphsTable.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(BatchSet value, string directory, CancellationToken ct)
    {
        var vocabulary = Enumerable.Range(1, value.Vocabulary.Count).Select(i => new VocabularyRow(i, value.Vocabulary.IdAt(i))).ToList();
        await VocabularyTable.WriteAsync(directory, vocabulary, ct).ConfigureAwait(false);
        var rows = new List<Row>(value.Train.Count + value.Test.Count);
        rows.AddRange(value.Train.Samples.Select(s => new Row(TrainPart, s)));
        rows.AddRange(value.Test.Samples.Select(s => new Row(TestPart, s)));
        await GraphsTable.WriteAsync(directory, rows, ct).ConfigureAwait(false);
        return [VocabularyTable.File, GraphsTable.File];
    }

    public override async Task<Fin<BatchSet>> ReadAsync(string directory, CancellationToken ct)
    {
        var vocabulary = await VocabularyTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var graphs = await GraphsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        return
            from v in vocabulary
            from ids in ToVocabulary(v)
            from g in graphs
            from set in ToSets(g)
            select new BatchSet(ids, set.Train, set.Test);
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(BatchSet value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("items", (long)value.Vocabulary.Count),
            KeyValuePair.Create("train", (long)value.Train.Count),
            KeyValuePair.Create("test", (long)value.Test.Count),
        ]);

    static ImmutableArray<int> Edges(Row r, Func<GraphEdge, int> get) => [.. r.Sample.Graph.Edges.Select(get)];
    static ImmutableArray<float> Weights(Row r, Func<GraphEdge, float> get) => [.. r.Sample.Graph.Edges.Select(get)];

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
        var (ids, sessions, parts, targets) = (t.Int64("sample_id"), t.Int64("session_id"), t.String("part"), t.Int32("target"));
        var (nodes, alias, from, to) = (t.Int32List("nodes"), t.Int32List("alias"), t.Int32List("edge_from"), t.Int32List("edge_to"));
        var (inWeight, outWeight) = (t.FloatList("edge_in_weight"), t.FloatList("edge_out_weight"));
        var train = ImmutableArray.CreateBuilder<PreparedSample>();
        var test = ImmutableArray.CreateBuilder<PreparedSample>();
        for (var i = 0; i < t.RowCount; i++)
        {
            var edgeCount = from[i].Length;
            if (to[i].Length != edgeCount || inWeight[i].Length != edgeCount || outWeight[i].Length != edgeCount || alias[i].IsEmpty)
                return FinFail<(PreparedSampleSet, PreparedSampleSet)>(EngineErrors.ParquetSchema(t.Path,
                    $"row {i} (sample {ids[i]}): edge lists of different lengths or no clicks"));
            var edges = new GraphEdge[edgeCount];
            for (var e = 0; e < edgeCount; e++) edges[e] = new GraphEdge(from[i][e], to[i][e], inWeight[i][e], outWeight[i][e]);
            var sample = new PreparedSample(ids[i], sessions[i], new SessionGraph(nodes[i], alias[i], [.. edges]), targets[i]);
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

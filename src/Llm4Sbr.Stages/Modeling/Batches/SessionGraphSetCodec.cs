using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Training.Batching;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Batches;

/// <summary>Parquet layout of <see cref="SessionGraphSet"/>: one row per sample with its session graph as
/// lists (nodes, click aliases, and the distinct edges with their degree-normalised weights), so an
/// epoch reads graphs instead of rebuilding them and other tools can inspect them.</summary>
public sealed class SessionGraphSetCodec : StageCodec<SessionGraphSet>
{
    public static SessionGraphSetCodec Instance { get; } = new();

    sealed record Row(string Part, SampleGraph Sample);

    static readonly ParquetTable<Row> GraphsTable = new("graphs.parquet",
        "One SR-GNN session graph per sample, in the batches stage's order: train rows first, then test rows.",
        Col.Int64<Row>("sample_id", "The sample (join key with batches).", r => r.Sample.SampleId),
        Col.String<Row>("part", "'train' or 'test'.", r => r.Part),
        Col.Int32List<Row>("nodes", "Distinct dense item indices of the prefix, ascending (the graph's nodes).", r => r.Sample.Graph.Nodes),
        Col.Int32List<Row>("alias", "Per click of the prefix, in order: its node (position in nodes).", r => r.Sample.Graph.Alias),
        Col.Int32List<Row>("edge_from", "Distinct transitions, sorted: sending node.", r => [.. r.Sample.Graph.Edges.Select(e => e.From)]),
        Col.Int32List<Row>("edge_to", "Distinct transitions, sorted: receiving node.", r => [.. r.Sample.Graph.Edges.Select(e => e.To)]),
        Col.FloatList<Row>("edge_in_weight", "1 / in-degree(edge_to): the incoming adjacency entry.", r => [.. r.Sample.Graph.Edges.Select(e => e.InWeight)]),
        Col.FloatList<Row>("edge_out_weight", "1 / out-degree(edge_from): the outgoing adjacency entry.", r => [.. r.Sample.Graph.Edges.Select(e => e.OutWeight)]));

    public override string Id => "session-graph-set/1";
    public override ImmutableArray<TableDoc> Tables => [GraphsTable.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(SessionGraphSet value, string directory, CancellationToken ct)
    {
        var rows = new List<Row>(value.Train.Length + value.Test.Length);
        rows.AddRange(value.Train.Select(s => new Row(BatchSetCodec.TrainPart, s)));
        rows.AddRange(value.Test.Select(s => new Row(BatchSetCodec.TestPart, s)));
        await GraphsTable.WriteAsync(directory, rows, ct).ConfigureAwait(false);
        return [GraphsTable.File];
    }

    public override async Task<Fin<SessionGraphSet>> ReadAsync(string directory, CancellationToken ct)
    {
        var graphs = await GraphsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        return graphs.Bind(ToSet);
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(SessionGraphSet value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("train", (long)value.Train.Length),
            KeyValuePair.Create("test", (long)value.Test.Length),
            KeyValuePair.Create("edges", value.Train.Concat(value.Test).Sum(g => (long)g.Graph.Edges.Length)),
        ]);

    static Fin<SessionGraphSet> ToSet(TableData t)
    {
        var (ids, parts) = (t.Int64("sample_id"), t.String("part"));
        var (nodes, alias, from, to) = (t.Int32List("nodes"), t.Int32List("alias"), t.Int32List("edge_from"), t.Int32List("edge_to"));
        var (inWeight, outWeight) = (t.FloatList("edge_in_weight"), t.FloatList("edge_out_weight"));
        var train = ImmutableArray.CreateBuilder<SampleGraph>();
        var test = ImmutableArray.CreateBuilder<SampleGraph>();
        for (var i = 0; i < t.RowCount; i++)
        {
            var edgeCount = from[i].Length;
            if (to[i].Length != edgeCount || inWeight[i].Length != edgeCount || outWeight[i].Length != edgeCount || alias[i].IsEmpty)
                return FinFail<SessionGraphSet>(EngineErrors.ParquetSchema(t.Path, $"row {i} (sample {ids[i]}): edge lists of different lengths or no clicks"));
            var edges = new GraphEdge[edgeCount];
            for (var e = 0; e < edgeCount; e++) edges[e] = new GraphEdge(from[i][e], to[i][e], inWeight[i][e], outWeight[i][e]);
            var sample = new SampleGraph(ids[i], new SessionGraph(nodes[i], alias[i], [.. edges]));
            switch (parts[i])
            {
                case BatchSetCodec.TrainPart: train.Add(sample); break;
                case BatchSetCodec.TestPart: test.Add(sample); break;
                default:
                    return FinFail<SessionGraphSet>(EngineErrors.ParquetSchema(t.Path, $"row {i}: part '{parts[i]}' is not one of {BatchSetCodec.TrainPart}, {BatchSetCodec.TestPart}"));
            }
        }
        return new SessionGraphSet(train.ToImmutable(), test.ToImmutable());
    }
}

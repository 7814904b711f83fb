using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Parquet.Serialization;

namespace Llm4Sbr.Training.Batching;

/// <summary>The <c>batches</c> stage's memo on disk: one Parquet row per prepared sample with its session
/// graph (nodes, alias, edges with their normalised weights), so a rerun streams graphs instead of
/// rebuilding them. Rows keep the set's order.</summary>
public static class SessionGraphParquet
{
    public const string Version = "1";

    /// <summary>A row of the file (public for the serializer; use <see cref="WriteAsync"/> / <see cref="ReadAsync"/>).</summary>
    public sealed class Row
    {
        public long SampleId { get; set; }
        public long SessionId { get; set; }
        public int Target { get; set; }
        public List<int> Nodes { get; set; } = [];
        public List<int> Alias { get; set; } = [];
        public List<int> EdgeFrom { get; set; } = [];
        public List<int> EdgeTo { get; set; } = [];
        public List<float> EdgeInWeight { get; set; } = [];
        public List<float> EdgeOutWeight { get; set; } = [];
    }

    public static async Task WriteAsync(PreparedSampleSet set, Stream destination, CancellationToken cancellation = default)
    {
        var rows = set.Samples.Select(s => new Row
        {
            SampleId = s.Id,
            SessionId = s.SessionId,
            Target = s.Target,
            Nodes = [.. s.Graph.Nodes],
            Alias = [.. s.Graph.Alias],
            EdgeFrom = [.. s.Graph.Edges.Select(e => e.From)],
            EdgeTo = [.. s.Graph.Edges.Select(e => e.To)],
            EdgeInWeight = [.. s.Graph.Edges.Select(e => e.InWeight)],
            EdgeOutWeight = [.. s.Graph.Edges.Select(e => e.OutWeight)],
        }).ToList();
        await ParquetSerializer.SerializeAsync(rows, destination, cancellationToken: cancellation);
    }

    /// <summary>Reads a file written by <see cref="WriteAsync"/>; a row whose arrays disagree is an error
    /// naming the file (<paramref name="name"/>), the row and the field.</summary>
    public static async Task<Fin<PreparedSampleSet>> ReadAsync(Stream source, string name, CancellationToken cancellation = default)
    {
        var rows = (await ParquetSerializer.DeserializeAsync<Row>(source, cancellationToken: cancellation)).Data;
        var samples = ImmutableArray.CreateBuilder<PreparedSample>(rows.Count);
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            string? problem =
                row.Nodes.Count == 0 ? "nodes: empty" :
                row.Alias.Count == 0 ? "alias: empty" :
                row.Alias.Any(a => a < 0 || a >= row.Nodes.Count) ? "alias: index outside the nodes" :
                new[] { row.EdgeTo.Count, row.EdgeInWeight.Count, row.EdgeOutWeight.Count }.Any(c => c != row.EdgeFrom.Count) ? "edges: column lengths differ" :
                row.EdgeFrom.Concat(row.EdgeTo).Any(n => n < 0 || n >= row.Nodes.Count) ? "edges: node outside the nodes" :
                null;
            if (problem is not null) return Error.New($"{name}: row {r} (sample {row.SampleId}): field {problem}");
            var edges = Enumerable.Range(0, row.EdgeFrom.Count)
                .Select(e => new GraphEdge(row.EdgeFrom[e], row.EdgeTo[e], row.EdgeInWeight[e], row.EdgeOutWeight[e]));
            samples.Add(new PreparedSample(row.SampleId, row.SessionId, new SessionGraph([.. row.Nodes], [.. row.Alias], [.. edges]), row.Target));
        }
        return new PreparedSampleSet(samples.MoveToImmutable());
    }
}

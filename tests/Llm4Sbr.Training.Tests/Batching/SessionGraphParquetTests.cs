using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Tests.Support;
using Xunit;

namespace Llm4Sbr.Training.Tests.Batching;

public class SessionGraphParquetTests
{
    [Fact]
    public async Task Graphs_round_trip_through_parquet()
    {
        var slice = BeautySlice.Load();
        var set = SamplePreparation.Prepare(slice.Train, slice.Vocabulary).Match(s => s, e => throw new Exception(e.Message));
        using var stream = new MemoryStream();
        await SessionGraphParquet.WriteAsync(set, stream);
        stream.Position = 0;
        var back = (await SessionGraphParquet.ReadAsync(stream, "graphs.parquet")).Match(s => s, e => throw new Exception(e.Message));
        Assert.Equal(set.Count, back.Count);
        for (int i = 0; i < set.Count; i++)
        {
            var (a, b) = (set[i], back[i]);
            Assert.Equal((a.Id, a.SessionId, a.Target), (b.Id, b.SessionId, b.Target));
            Assert.Equal(a.Graph.Nodes.ToArray(), b.Graph.Nodes.ToArray());
            Assert.Equal(a.Graph.Alias.ToArray(), b.Graph.Alias.ToArray());
            Assert.Equal(a.Graph.Edges.ToArray(), b.Graph.Edges.ToArray());
        }
    }

    [Fact]
    public async Task A_corrupt_row_is_an_error_naming_file_row_and_field()
    {
        var rows = new List<SessionGraphParquet.Row>
        {
            new() { SampleId = 1, Target = 2, Nodes = [3], Alias = [0] },
            new() { SampleId = 7, Target = 2, Nodes = [3, 4], Alias = [0, 5] },
        };
        using var stream = new MemoryStream();
        await Parquet.Serialization.ParquetSerializer.SerializeAsync(rows, stream);
        stream.Position = 0;
        var error = (await SessionGraphParquet.ReadAsync(stream, "graphs.parquet")).Match(_ => "", e => e.Message);
        Assert.Contains("graphs.parquet: row 1 (sample 7): field alias", error);
    }
}

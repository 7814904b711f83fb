using System.Security.Cryptography;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Stages.Modeling.Graphs;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Stages.Tests.Modeling.Support;
using Llm4Sbr.Training.Graphs;
using Xunit;

namespace Llm4Sbr.Stages.Tests.Modeling;

/// <summary>The <c>graphs</c> stage: training data only, its Parquet round trip, and its planning (only
/// for models whose backbone needs a training-wide graph, only the parts they need).</summary>
public sealed class GraphsStageTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "llm4sbr-graphs-" + Guid.NewGuid().ToString("N"));

    static Session S(long id, params int[] items) => new(id, id, 0, [.. items]);
    static Sample Sample(long id, long session, SplitPart part, int target, params int[] prefix) => new(id, session, part, [.. prefix], target);

    static readonly GraphsConfig Both = new(new GlobalGraphConfig(3, 4, 42), Hypergraph: true);

    static (SplitSet Split, SampleSet Samples) Data(bool withMoreTest)
    {
        var train = new[] { S(0, 30, 10, 30, 40), S(1, 20, 10), S(2, 40, 50, 10, 20, 30) };
        var trainSamples = train.SelectMany(s => Enumerable.Range(1, s.Items.Length - 1)
            .Select(n => Sample(s.Id * 10 + n, s.Id, SplitPart.Train, s.Items[n], [.. s.Items.Take(n)]))).ToArray();
        var test = withMoreTest ? new[] { S(3, 10, 99, 20), S(4, 77, 30, 10) } : [S(3, 10, 99, 20)];
        var testSamples = test.Select((s, i) => Sample(100 + i, s.Id, SplitPart.Test, s.Items[^1], [.. s.Items.Take(s.Items.Length - 1)])).ToArray();
        return (new SplitSet([.. train], [.. test]), new SampleSet([.. trainSamples], [.. testSamples]));
    }

    async Task<string[]> Bytes(TrainingGraphs graphs, string name)
    {
        var folder = Path.Combine(_folder, name);
        Directory.CreateDirectory(folder);
        var files = await TrainingGraphsCodec.Instance.WriteAsync(graphs, folder, default);
        return [.. files.Select(f => f + ":" + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, f)))))];
    }

    [Fact]
    public async Task Adding_test_sessions_leaves_the_output_unchanged()
    {
        var (split, samples) = Data(withMoreTest: false);
        var (moreSplit, moreSamples) = Data(withMoreTest: true);
        var a = GraphsStage.Run(TrainingPartStage.Run(split, samples), Both).Value();
        var b = GraphsStage.Run(TrainingPartStage.Run(moreSplit, moreSamples), Both).Value();
        Assert.Equal(await Bytes(a, "a"), await Bytes(b, "b"));
        Assert.DoesNotContain(a.Global!.Items, i => i.ItemId is 99 or 77);
        Assert.DoesNotContain(99, a.Hypergraph!.Items);
    }

    [Fact]
    public async Task The_graphs_round_trip_through_parquet()
    {
        var (split, samples) = Data(withMoreTest: true);
        foreach (var config in new[] { Both, Both with { Hypergraph = false }, Both with { Global = null } })
        {
            var graphs = GraphsStage.Run(TrainingPartStage.Run(split, samples), config).Value();
            var name = Guid.NewGuid().ToString("N");
            var first = await Bytes(graphs, name);
            var read = (await TrainingGraphsCodec.Instance.ReadAsync(Path.Combine(_folder, name), default)).Value();
            Assert.Equal(graphs.Has, read.Has);
            Assert.Equal(first, await Bytes(read, name + "-again"));
            if (graphs.Global is { } g)
            {
                Assert.Equal((g.Epsilon, g.SampleNum, g.Seed), (read.Global!.Epsilon, read.Global.SampleNum, read.Global.Seed));
                Assert.Equal(g.Items.Select(i => (i.ItemId, string.Join(",", i.Neighbours), string.Join(",", i.Weights), string.Join(",", i.Sample))),
                    read.Global.Items.Select(i => (i.ItemId, string.Join(",", i.Neighbours), string.Join(",", i.Weights), string.Join(",", i.Sample))));
            }
            if (graphs.Hypergraph is { } h)
            {
                var r = read.Hypergraph!;
                Assert.Equal(h.Items.ToArray(), r.Items.ToArray());
                Assert.Equal(h.Edges.ToArray(), r.Edges.ToArray());
                Assert.Equal(h.Incidence.ToDense(), r.Incidence.ToDense());
                Assert.Equal(h.Adjacency.RowPointers, r.Adjacency.RowPointers);
                Assert.Equal(h.Adjacency.ColumnIndices, r.Adjacency.ColumnIndices);
                Assert.Equal(h.Adjacency.Values, r.Adjacency.Values);
            }
        }
    }

    static Engine.Pipelines.PipelineDefinition Parse(string modeling) =>
        ModelingWorkspace.Parse(MovieLensRun.Yaml(modeling), ProductCatalog.Create())
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));

    [Fact]
    public void Train_reads_the_graphs_only_for_a_model_that_needs_them_and_they_hold_only_its_parts()
    {
        Assert.DoesNotContain(GraphsStage.Name, Parse("models: [srgnn, pop]\n").Find(TrainStage.Name)!.Inputs.Select(i => i.Stage));
        var pipeline = Parse("models: [srgnn, gcegnn]\ngraphs: {epsilon: 2, sample_num: 6, seed: 5}\n");
        Assert.Contains(GraphsStage.Name, pipeline.Find(TrainStage.Name)!.Inputs.Select(i => i.Stage));
        var config = (GraphsConfig)pipeline.Find(GraphsStage.Name)!.Config;
        Assert.Equal(new GraphsConfig(new GlobalGraphConfig(2, 6, 5), Hypergraph: false), config);
        Assert.Equal([TrainingPartStage.Name], pipeline.Find(GraphsStage.Name)!.Inputs.Select(i => i.Stage));
        Assert.Equal(["split", "samples"], pipeline.Find(TrainingPartStage.Name)!.Inputs.Select(i => i.Stage));
    }

    [Fact]
    public void A_wrong_graphs_key_is_an_error_naming_the_valid_ones()
    {
        var errors = ModelingWorkspace.Parse(MovieLensRun.Yaml("models: [gcegnn]\ngraphs: {neighbours: 6}\n"), ProductCatalog.Create())
            .Match(_ => "", e => string.Join("; ", e.Select(x => x.Message)));
        Assert.Contains("neighbours", errors);
        Assert.Contains("sample_num", errors);
        var range = ModelingWorkspace.Parse(MovieLensRun.Yaml("models: [gcegnn]\ngraphs: {epsilon: 0}\n"), ProductCatalog.Create())
            .Match(_ => "", e => string.Join("; ", e.Select(x => x.Message)));
        Assert.Contains("epsilon", range);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}

using System.Globalization;
using System.Text;
using CsCheck;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Stages.Modeling.Graphs;
using Llm4Sbr.Stages.Modeling.Report;
using Llm4Sbr.Stages.Tests.Modeling.Support;
using Xunit;

namespace Llm4Sbr.Stages.Tests.Modeling;

/// <summary>The <c>training-part</c> stage and the issue's property: adding test sessions to a dataset
/// leaves the <c>graphs</c> stage's key and output unchanged (training-part is content-keyed), through the
/// real data stages, on generic CSV files written per case.</summary>
public sealed class TrainingPartTests
{
    /// <summary>Sessions in key order: <see cref="Train"/>, then the test sessions of the first dataset,
    /// then <see cref="Added"/>, only in the second; <see cref="TrainFraction"/> puts exactly the training
    /// sessions first in both (floor(f n) is the same for both session counts).</summary>
    public sealed record Case(int[][] Train, int[][] Test, int[][] Added)
    {
        int First => Train.Length + Test.Length;
        int Second => First + Added.Length;
        /// <summary>Midway between Train/First and (Train + 1)/Second, the bounds for floor(f n) = Train in both.</summary>
        public double TrainFraction => ((double)Train.Length / First + (Train.Length + 1.0) / Second) / 2;
        public override string ToString() =>
            $"train [{Show(Train)}] test [{Show(Test)}] added [{Show(Added)}]";
        static string Show(int[][] sessions) => string.Join("; ", sessions.Select(s => string.Join(",", s)));
    }

    static readonly Gen<int[]> Session = Gen.Int[1, 12].Array[2, 6];

    /// <summary>Up to floor((First - 1) / Train) sessions can be added before the split moves
    /// (Train (Second - First) &lt; First); new sessions may click items the training sessions never did.</summary>
    static readonly Gen<Case> Cases =
        Gen.Select(Session.Array[1, 3], Session.Array[1, 6], Gen.Int[1, 20].Array[2, 6].Array[1, 6])
            .Select((train, test, added) => new Case(train, test,
                added.Take(Math.Max(1, (train.Length + test.Length - 1) / train.Length)).ToArray()));

    /// <summary>Writes the sessions as generic CSV files under <paramref name="folder"/> and returns a
    /// pipeline reading them, with GCE-GNN and DHCN listed (so graphs builds both parts).</summary>
    static string Pipeline(string folder, Case c, bool added)
    {
        Directory.CreateDirectory(folder);
        var interactions = new StringBuilder("session_id,item_id,timestamp\n");
        var sessions = c.Train.Concat(c.Test).Concat(added ? c.Added : []).ToArray();
        for (var s = 0; s < sessions.Length; s++)
            for (var i = 0; i < sessions[s].Length; i++)
                interactions.Append(CultureInfo.InvariantCulture, $"{s + 1},{sessions[s][i]},{1_700_000_000 + s * 100 + i}\n");
        File.WriteAllText(Path.Combine(folder, "interactions.csv"), interactions.ToString());
        File.WriteAllText(Path.Combine(folder, "items.csv"),
            "item_id,title\n" + string.Concat(Enumerable.Range(1, 20).Select(i => $"{i},Item {i}\n")));
        return $$"""
            name: cutoff
            dataset:
              format: generic
              interactions: {{Path.Combine(folder, "interactions.csv")}}
              items: {{Path.Combine(folder, "items.csv")}}
            sessions: {grouping: key, min_item_support: 1, min_length: 2}
            split: {train_fraction: {{c.TrainFraction.ToString("R", CultureInfo.InvariantCulture)}}}
            samples: {mode: all-prefixes}
            models: [gcegnn, dhcn]
            """;
    }

    static readonly PlanOptions UntilGraphs = new(Until: GraphsStage.Name);

    static async Task<string[]> FilesOf(ModelingWorkspace ws, RunResult run, string stage) =>
        (await ws.Store.InspectAsync(run[stage].Key!.Value, stage, CancellationToken.None)) is MemoLookup.Hit hit
            ? [.. hit.Entry.Manifest.Files.Select(f => f.Name + ":" + f.Sha256)]
            : throw new InvalidOperationException($"no cache entry for {stage}");

    [Fact]
    public Task Adding_test_sessions_leaves_the_graphs_stages_key_and_output_unchanged() =>
        Cases.CheckFixedAsync(async c =>
        {
            using var ws = new ModelingWorkspace();
            using var fresh = new ModelingWorkspace();
            var before = Pipeline(Path.Combine(ws.Root, "before"), c, added: false);
            var after = Pipeline(Path.Combine(ws.Root, "after"), c, added: true);

            var first = await ws.RunAsync(before, ProductCatalog.Create(), UntilGraphs);
            var alone = await fresh.RunAsync(after, ProductCatalog.Create(), UntilGraphs);
            var second = await ws.RunAsync(after, ProductCatalog.Create(), UntilGraphs, runsFolder: "after");

            // The test part grew: every stage up to samples, and the projection itself, has a new key ...
            Assert.Equal(c.Test.Length + c.Added.Length, (await alone.OutputAsync<SplitSet>("split", default)).Value().Test.Length);
            Assert.NotEqual(first["split"].Key, alone["split"].Key);
            Assert.NotEqual(first[TrainingPartStage.Name].Key, alone[TrainingPartStage.Name].Key);
            // ... and graphs keeps its key and files, whether computed afresh or found in the cache.
            Assert.Equal(first[GraphsStage.Name].Key, alone[GraphsStage.Name].Key);
            Assert.Equal(await FilesOf(ws, first, GraphsStage.Name), await FilesOf(fresh, alone, GraphsStage.Name));
            Assert.Equal(StageStatus.Computed, second[TrainingPartStage.Name].Status);
            Assert.Equal(StageStatus.Cached, second[GraphsStage.Name].Status);
            Assert.Equal(first[GraphsStage.Name].Key, second[GraphsStage.Name].Key);
        }, iter: 8);

    [Fact]
    public async Task Adding_a_training_session_changes_the_graphs_key()
    {
        using var ws = new ModelingWorkspace();
        var c = new Case([[1, 2, 3], [2, 3]], [[3, 4], [4, 5], [5, 6]], [[1, 2]]);
        var first = await ws.RunAsync(Pipeline(Path.Combine(ws.Root, "a"), c, added: false), ProductCatalog.Create(), UntilGraphs);
        var more = c with { Train = [.. c.Train, [6, 1]], Test = c.Test[1..] };
        var second = await ws.RunAsync(Pipeline(Path.Combine(ws.Root, "b"), more, added: false), ProductCatalog.Create(), UntilGraphs, runsFolder: "b");

        Assert.Equal(3, (await second.OutputAsync<TrainingPart>(TrainingPartStage.Name, default)).Value().Sessions.Length);
        Assert.NotEqual(first[GraphsStage.Name].Key, second[GraphsStage.Name].Key);
        Assert.Equal(StageStatus.Computed, second[GraphsStage.Name].Status);
    }

    [Fact]
    public async Task The_projection_is_planned_only_with_graphs_and_round_trips_through_parquet()
    {
        async Task<string[]> Planned(string models) => [.. (await PipelinePlanner.PlanAsync(
                ModelingWorkspace.Parse(MovieLensRun.Yaml($"models: [{models}]\n"), ProductCatalog.Create()).Match(p => p, e => throw new InvalidOperationException(e.Head.Message)),
                new PlanOptions(Until: ReportStage.Name), new FileFingerprints(), default)).Value().Stages.Select(s => s.Name)];
        Assert.DoesNotContain(TrainingPartStage.Name, await Planned("srgnn, pop"));
        Assert.Contains(TrainingPartStage.Name, await Planned("gcegnn"));

        var split = new SplitSet([new Session(0, 5, 0, [1, 2, 3]), new Session(1, 6, 0, [2, 4])], [new Session(2, 7, 0, [9, 8])]);
        var samples = new SampleSet(
            [new Sample(0, 0, SplitPart.Train, [1], 2), new Sample(1, 0, SplitPart.Train, [1, 2], 3), new Sample(2, 1, SplitPart.Train, [2], 4)],
            [new Sample(3, 2, SplitPart.Test, [9], 8)]);
        var part = TrainingPartStage.Run(split, samples);
        Assert.Equal(split.Train, part.Sessions);
        Assert.Equal(samples.Train, part.Samples);

        var folder = Path.Combine(Path.GetTempPath(), "llm4sbr-training-part-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await TrainingPartCodec.Instance.WriteAsync(part, folder, default);
            var read = (await TrainingPartCodec.Instance.ReadAsync(folder, default)).Value();
            Assert.Equal(part.Sessions.Select(Show), read.Sessions.Select(Show));
            Assert.Equal(part.Samples.Select(Show), read.Samples.Select(Show));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static string Show(Session s) => $"{s.Id} {s.Key} {s.Bucket} {string.Join(",", s.Items)}";
    static string Show(Sample s) => $"{s.Id} {s.SessionId} {s.Part} {string.Join(",", s.Prefix)} {s.Target}";
}

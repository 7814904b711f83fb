using System.Collections.Immutable;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Stages.Modeling;
using Llm4Sbr.Stages.Modeling.Batches;
using Llm4Sbr.Stages.Modeling.Evaluate;
using Llm4Sbr.Stages.Modeling.Graphs;
using Llm4Sbr.Stages.Modeling.Recommend;
using Llm4Sbr.Stages.Modeling.Report;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Stages.Intent.Titles;
using Llm4Sbr.Stages.Tests.Modeling.Support;
using Xunit;

namespace Llm4Sbr.Stages.Tests.Modeling;

/// <summary>One run of load .. report on the bundled MovieLens small pipeline (POP, STAN and two
/// epochs of SR-GNN), shared by the tests of <see cref="PipelineRunTests"/>.</summary>
public sealed class MovieLensRun : IAsyncLifetime
{
    public const string Models = """
        models: [pop, stan, srgnn]
        training:
          epochs: 2
          seeds: [42]
        """;

    public static string Yaml(string modeling = Models) => Repo.Pipeline("movielens-small", modeling);

    public ModelingWorkspace Workspace { get; } = new();
    public RunResult Run { get; private set; } = null!;
    public TrainedModels Trained { get; private set; } = null!;
    public MetricsTable Metrics { get; private set; } = null!;
    public ReportOutput Report { get; private set; } = null!;
    public SampleSet Samples { get; private set; } = null!;
    public LoadedData Loaded { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Run = await Workspace.RunAsync(Yaml(), ProductCatalog.Create());
        Trained = (await Run.OutputAsync<TrainedModels>(TrainStage.Name, default)).Value();
        Metrics = (await Run.OutputAsync<MetricsTable>(EvaluateStage.Name, default)).Value();
        Report = (await Run.OutputAsync<ReportOutput>(ReportStage.Name, default)).Value();
        Samples = (await Run.OutputAsync<SampleSet>("samples", default)).Value();
        Loaded = (await Run.OutputAsync<LoadedData>("load", default)).Value();
    }

    public Task DisposeAsync()
    {
        Workspace.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class PipelineRunTests(MovieLensRun fixture) : IClassFixture<MovieLensRun>
{
    static readonly string[] Models = ["pop", "stan", "srgnn"];

    [Fact]
    public void Every_stage_ran_and_the_metrics_table_has_every_model_at_5_10_20()
    {
        // The product catalogue holds the intent stages too; they run (offline) even when no model reads views.
        Assert.Equal(["load", "sessions", "split", "samples", "titles", "prompts", "infer", "embed", "localize", "batches", "session-graphs", "training-part", "graphs", "train", "evaluate", "report"],
            fixture.Run.Stages.Select(s => s.Name));
        Assert.Equal(Models, fixture.Metrics.Models.Select(m => m.Model));
        foreach (var model in fixture.Metrics.Models)
        {
            Assert.Equal(fixture.Samples.Test.Length, model.TestSamples);
            Assert.Equal([5, 10, 20], model.Mean.AtK.Select(m => m.K));
            foreach (var (measure, _, get) in MetricColumns.Measures)
            {
                var values = model.Mean.AtK.Select(get).ToArray();
                Assert.All(values, v => Assert.InRange(v, 0, 1));
                Assert.True(values[0] <= values[1] && values[1] <= values[2], $"{model.Model} {measure} must not fall with K: {string.Join(", ", values)}");
            }
            Assert.All(model.StandardDeviation.AtK, m => Assert.Equal(0, m.Precision)); // one run each
        }
        // The metrics recomputed from the stored ranks are the ones the training recorded.
        foreach (var run in fixture.Trained.Runs)
        {
            var recomputed = fixture.Metrics.Runs.Single(r => r.Model == run.Model && r.Seed == run.Seed).Test;
            foreach (var k in MetricColumns.Cutoffs)
            {
                Assert.Equal(run.Test[k].Precision, recomputed[k].Precision, 12);
                Assert.Equal(run.Test[k].Mrr, recomputed[k].Mrr, 12);
                Assert.Equal(run.Test[k].Ndcg, recomputed[k].Ndcg, 12);
            }
        }
        Assert.Equal(fixture.Samples.Test.Length * 3, fixture.Trained.Ranks.Length);
    }

    [Fact]
    public void Neural_runs_select_an_epoch_on_validation_and_keep_the_paper_practice_apart()
    {
        var srgnn = fixture.Trained.Runs.Single(r => r.Model == "srgnn");
        Assert.Equal(42, srgnn.Seed);
        Assert.InRange(srgnn.SelectedEpoch, 1, 2);
        Assert.Equal(2, fixture.Trained.History.Count(h => h.Model == "srgnn"));
        Assert.NotNull(srgnn.Validation);
        Assert.True(fixture.Trained.Facts.ValidationSamples > 0);
        Assert.Equal(fixture.Samples.Train.Length, fixture.Trained.Facts.FitSamples + fixture.Trained.Facts.ValidationSamples);
        // The paper's practice takes each metric's best test epoch, so it is never below the selected epoch's.
        var paper = fixture.Metrics["srgnn"].PaperBestTest!;
        foreach (var k in MetricColumns.Cutoffs)
            Assert.True(paper[k].Precision >= fixture.Metrics["srgnn"].Mean[k].Precision);
        Assert.Null(fixture.Metrics["pop"].PaperBestTest);
        Assert.Equal(ModelRun.Unseeded, fixture.Trained.Runs.Single(r => r.Model == "stan").Seed);
        // Two epochs on 3.3k MovieLens samples are too few to beat popularity (the training tests check
        // that on a Beauty slice); here the model must at least learn: its training loss falls.
        var losses = fixture.Trained.History.Where(h => h.Model == "srgnn").OrderBy(h => h.Epoch.Epoch).Select(h => h.Epoch.MeanLoss).ToArray();
        Assert.True(losses[1] < losses[0], $"srgnn loss did not fall: {string.Join(", ", losses)}");
    }

    [Fact]
    public void The_report_is_table_3_shaped_names_every_model_and_says_no_llm_was_used()
    {
        var markdown = fixture.Report.Markdown;
        Assert.Contains("Table 3", markdown);
        foreach (var name in new[] { "POP", "STAN", "SR-GNN" }) Assert.Contains($"| {name} |", markdown);
        Assert.Contains("without an LLM", markdown);
        Assert.False(fixture.Report.UsedLlm);
        Assert.Contains("Paper practice", markdown);
        Assert.DoesNotContain("s / epoch", markdown);   // wall times are measurements, in timings.md
        Assert.Contains("timings.md", markdown);
        Assert.Contains(fixture.Samples.Test.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), markdown);
        var published = File.ReadAllText(Path.Combine(fixture.Workspace.RunDirectory("movielens-small"), "report", ReportCodec.MarkdownFile));
        Assert.Equal(markdown, published);
    }

    /// <summary>Wall times and tensor counts are what a run measured, not results: they are the train
    /// stage's measurements (manifests, timings.md), and no stored table of train or evaluate has them.</summary>
    [Fact]
    public async Task Timings_are_measurements_beside_the_train_output_never_columns_of_a_stored_table()
    {
        var train = fixture.Run.Stages.Single(s => s.Name == TrainStage.Name);
        Assert.True(train.Measurements[$"srgnn/seed=42/{TrainMeasurements.SecondsPerEpoch}"] > 0);
        Assert.Equal(0, train.Measurements[$"srgnn/seed=42/{TrainMeasurements.LiveTensorGrowth}"]);
        Assert.True(train.Measurements[$"stan/{TrainMeasurements.FitSeconds}"] >= 0);
        Assert.True(TrainMeasurements.Mean(train.Measurements, "srgnn", TrainMeasurements.FitSeconds) > 0);
        var root = fixture.Workspace.RunDirectory("movielens-small");
        Assert.Contains("srgnn/seed=42/seconds_per_epoch", File.ReadAllText(Path.Combine(root, "timings.md")));
        foreach (var stage in new[] { TrainStage.Name, EvaluateStage.Name })
            foreach (var file in Directory.GetFiles(Path.Combine(root, stage), "*.parquet"))
            {
                await using var stream = File.OpenRead(file);
                await using var reader = await Parquet.ParquetReader.CreateAsync(stream);
                var columns = reader.Schema.GetDataFields().Select(f => f.Name).ToArray();
                Assert.DoesNotContain(columns, c => c.Contains("seconds", StringComparison.Ordinal) || c.Contains("live_tensors", StringComparison.Ordinal));
            }
    }

    [Fact]
    public async Task The_json_summary_carries_every_models_metrics()
    {
        var json = (await ModelingStageModules.MetricsJsonAsync(fixture.Run, default))!.AsObject();
        Assert.Equal(Models, json.Select(p => p.Key));
        foreach (var model in Models)
        {
            var metrics = json[model]!.AsObject();
            Assert.Equal(9, metrics.Count);
            Assert.Equal(Math.Round(fixture.Metrics[model].Mean[20].Mrr, 6), (double)metrics["mrr@20"]!);
            Assert.Equal(Math.Round(fixture.Metrics[model].Mean[5].Precision, 6), (double)metrics["p@5"]!);
        }
    }

    [Fact]
    public async Task A_second_run_is_all_cached_and_reads_back_what_the_first_computed()
    {
        var again = await fixture.Workspace.RunAsync(MovieLensRun.Yaml(), ProductCatalog.Create());
        Assert.All(again.Stages, s => Assert.Equal(StageStatus.Cached, s.Status));

        var trained = (await again.OutputAsync<TrainedModels>(TrainStage.Name, default)).Value();
        Assert.Equal(fixture.Trained.Runs.Select(r => (r.Model, r.Seed, r.SelectedEpoch, r.Test[20].Mrr, r.Fingerprint)),
            trained.Runs.Select(r => (r.Model, r.Seed, r.SelectedEpoch, r.Test[20].Mrr, r.Fingerprint)));
        Assert.Equal(fixture.Trained.Ranks.ToArray(), trained.Ranks.ToArray());
        Assert.Equal(fixture.Trained.Items.ToArray(), trained.Items.ToArray());
        Assert.Equal(fixture.Trained.History.Select(h => (h.Model, h.Epoch.Epoch, h.Epoch.MeanLoss)), trained.History.Select(h => (h.Model, h.Epoch.Epoch, h.Epoch.MeanLoss)));
        Assert.Equal(fixture.Trained.Files.Select(f => (f.Name, Convert.ToHexString(f.ReadAllBytes()))), trained.Files.Select(f => (f.Name, Convert.ToHexString(f.ReadAllBytes()))));

        var batches = (await again.OutputAsync<BatchSet>(BatchesStage.Name, default)).Value();
        var split = (await again.OutputAsync<SplitSet>("split", default)).Value();
        var fresh = BatchesStage.Run(split, fixture.Samples).Value();
        Assert.Equal(fresh.Vocabulary.IdsByIndex.ToArray(), batches.Vocabulary.IdsByIndex.ToArray());
        Assert.Equal(fresh.Train.Count + fresh.Test.Count, batches.Train.Count + batches.Test.Count);
        foreach (var (a, b) in fresh.Train.Samples.Concat(fresh.Test.Samples).Zip(batches.Train.Samples.Concat(batches.Test.Samples)))
        {
            Assert.Equal((a.Id, a.SessionId, a.Target), (b.Id, b.SessionId, b.Target));
            Assert.Equal(a.Items.ToArray(), b.Items.ToArray());
        }
        var graphs = (await again.OutputAsync<SessionGraphSet>(SessionGraphsStage.Name, default)).Value();
        var freshGraphs = SessionGraphSet.Of(fresh);
        foreach (var (a, b) in freshGraphs.Train.Concat(freshGraphs.Test).Zip(graphs.Train.Concat(graphs.Test)))
        {
            Assert.Equal(a.SampleId, b.SampleId);
            Assert.Equal(a.Graph.Nodes.ToArray(), b.Graph.Nodes.ToArray());
            Assert.Equal(a.Graph.Alias.ToArray(), b.Graph.Alias.ToArray());
            Assert.Equal(a.Graph.Edges.ToArray(), b.Graph.Edges.ToArray());
        }
    }

    [Fact]
    public async Task Changing_the_epochs_reruns_train_evaluate_and_report_but_not_batches()
    {
        var changed = await fixture.Workspace.RunAsync(MovieLensRun.Yaml(MovieLensRun.Models.Replace("epochs: 2", "epochs: 1")), ProductCatalog.Create(), runsFolder: "one-epoch");
        var statuses = changed.Stages.ToDictionary(s => s.Name, s => s.Status);
        foreach (var stage in new[] { "load", "sessions", "split", "samples", "batches", "session-graphs" }) Assert.Equal(StageStatus.Cached, statuses[stage]);
        foreach (var stage in new[] { "train", "evaluate", "report" }) Assert.Equal(StageStatus.Computed, statuses[stage]);
        var trained = (await changed.OutputAsync<TrainedModels>(TrainStage.Name, default)).Value();
        Assert.Equal(1, trained.Runs.Single(r => r.Model == "srgnn").EpochsRun);
    }

    [Fact]
    public async Task Llm4sbr_reads_the_product_intent_stages_views_and_the_report_labels_the_offline_engine()
    {
        var run = await fixture.Workspace.RunAsync(MovieLensRun.Yaml("models: [srgnn, llm4sbr-srgnn]\ntraining: {epochs: 1}\n"), ProductCatalog.Create(), runsFolder: "with-views");
        var statuses = run.Stages.ToDictionary(s => s.Name, s => s.Status);
        foreach (var stage in new[] { "localize", "batches" }) Assert.Equal(StageStatus.Cached, statuses[stage]);
        var trained = (await run.OutputAsync<TrainedModels>(TrainStage.Name, default)).Value();
        Assert.Equal(["long", "short"], trained.Facts.Views.ToArray());
        Assert.StartsWith("offline", trained.Facts.ViewsEngine);
        Assert.True(trained.History.Single(h => h.Model == "llm4sbr-srgnn").Epoch.MeanAuxiliaryLoss != 0);
        var report = (await run.OutputAsync<ReportOutput>(ReportStage.Name, default)).Value();
        Assert.False(report.UsedLlm);
        Assert.Contains("offline engine", report.Markdown);
        Assert.Contains("| *Improv. over SR-GNN* |", report.Markdown);
    }

    /// <summary>Each neural fit is a part of the train stage memoized on what it reads: a rerun of the
    /// stage (here: another localization k, which changes the views) refits only the fits whose key changed,
    /// and a reused fit carries the measurements of the run that trained it.</summary>
    [Fact]
    public async Task A_rerun_of_train_refits_only_the_models_whose_data_changed()
    {
        const string modeling = "models: [srgnn, llm4sbr-srgnn]\ntraining: {epochs: 1}\n";
        var first = await fixture.Workspace.RunAsync(MovieLensRun.Yaml(modeling), ProductCatalog.Create(), runsFolder: "parts-k3");
        var other = await fixture.Workspace.RunAsync(MovieLensRun.Yaml(modeling + "localize: {k: 1}\n"), ProductCatalog.Create(), runsFolder: "parts-k1");

        var train = other.Stages.Single(s => s.Name == TrainStage.Name);
        Assert.Equal(StageStatus.Computed, train.Status);
        Assert.Equal(1, train.Measurements[$"srgnn/seed=42/{TrainMeasurements.ReusedFit}"]);
        Assert.False(train.Measurements.ContainsKey($"llm4sbr-srgnn/seed=42/{TrainMeasurements.ReusedFit}"));
        var firstTrain = first.Stages.Single(s => s.Name == TrainStage.Name);
        Assert.Equal(firstTrain.Measurements[$"srgnn/seed=42/{TrainMeasurements.FitSeconds}"], train.Measurements[$"srgnn/seed=42/{TrainMeasurements.FitSeconds}"]);

        var before = (await first.OutputAsync<TrainedModels>(TrainStage.Name, default)).Value();
        var after = (await other.OutputAsync<TrainedModels>(TrainStage.Name, default)).Value();
        Assert.Equal(before.Ranks.Where(r => r.Model == "srgnn").ToArray(), after.Ranks.Where(r => r.Model == "srgnn").ToArray());
        string Checkpoint(TrainedModels t, string model) => Convert.ToHexString(t.Files.Single(f => f.Name == TrainRunner.CheckpointStem(model, 42) + ".bin").ReadAllBytes());
        Assert.Equal(Checkpoint(before, "srgnn"), Checkpoint(after, "srgnn"));
        Assert.NotEqual(Checkpoint(before, "llm4sbr-srgnn"), Checkpoint(after, "llm4sbr-srgnn"));
    }

    [Fact]
    public async Task Title_embedding_baselines_run_without_the_intent_stages_report_rows_of_their_own_and_recommend()
    {
        var run = await fixture.Workspace.RunAsync(MovieLensRun.Yaml("""
            models: [llmseqsim, llm2srgnn]
            model_params:
              llmseqsim: {combination: mean, decay: harmonic}
            training: {epochs: 1}
            """), ProductCatalog.Create(), new Engine.Graph.PlanOptions(Until: ReportStage.Name), runsFolder: "llm-baselines");
        Assert.Equal(["load", "sessions", "split", "samples", "titles", "batches", "session-graphs", "train", "evaluate", "report"], run.Stages.Select(s => s.Name));

        var trained = (await run.OutputAsync<TrainedModels>(TrainStage.Name, default)).Value();
        Assert.Equal([(ModelFamily.TextSimilarity, ModelRun.Unseeded), (ModelFamily.Neural, 42L)], trained.Runs.Select(r => (r.Family, r.Seed)));
        Assert.Empty(trained.Facts.Views);
        var report = (await run.OutputAsync<ReportOutput>(ReportStage.Name, default)).Value();
        Assert.False(report.UsedLlm);
        Assert.Contains("| *LLM baselines on item-title embeddings (no LLM asked)* |", report.Markdown);
        Assert.Contains("| LLMSeqSim | ", report.Markdown);
        Assert.Contains("| LLM2SR-GNN | ", report.Markdown);
        Assert.DoesNotContain("SBR backbone", report.Markdown);

        // recommend rebuilds llmseqsim from the run's titles: its ranking of a test sample is the stored rank.
        var directory = fixture.Workspace.RunDirectory("llm-baselines");
        using var seqsim = (await Recommender.LoadAsync(directory, "llmseqsim")).Value();
        var sample = fixture.Samples.Test.First(s => !s.Prefix.Contains(s.Target));
        var all = seqsim.Recommend(sample.Prefix, trained.Facts.Items).Value();
        Assert.DoesNotContain(all, r => sample.Prefix.Contains(r.ItemId));
        var targetScore = all.Single(r => r.ItemId == sample.Target).Score;
        Assert.Equal(trained.Ranks.Single(r => r.Model == "llmseqsim" && r.SampleId == sample.Id).Rank, all.Count(r => r.Score >= targetScore));

        // llm2srgnn comes back from its checkpoint, without the titles; llmseqsim cannot without them.
        var trainOnly = Path.Combine(fixture.Workspace.Root, "train-only", TrainStage.Name);
        Directory.CreateDirectory(trainOnly);
        foreach (var file in Directory.GetFiles(Path.Combine(directory, TrainStage.Name))) File.Copy(file, Path.Combine(trainOnly, Path.GetFileName(file)));
        using var llm2 = (await Recommender.LoadAsync(trainOnly, "llm2srgnn")).Value();
        Assert.Equal(10, llm2.Recommend(sample.Prefix, 10).Value().Select(r => r.ItemId).Distinct().Count());
        Assert.Contains("it has no titles/manifest.json", (await Recommender.LoadAsync(trainOnly, "llmseqsim")).ErrorMessage());
    }

    [Theory]
    [InlineData("srgnn")]
    [InlineData("pop")]
    [InlineData("stan")]
    public async Task Recommend_returns_k_catalogue_items_with_their_titles(string model)
    {
        using var recommender = (await Recommender.LoadAsync(fixture.Workspace.RunDirectory("movielens-small"), model)).Value();
        var session = fixture.Samples.Test[0].Prefix;
        var top = recommender.Recommend(session, 10).Value();

        Assert.Equal(10, top.Length);
        Assert.Equal(10, top.Select(r => r.ItemId).Distinct().Count());
        var titles = fixture.Loaded.Items.ToDictionary(i => i.Id, i => i.Title);
        Assert.All(top, r => Assert.Equal(titles[r.ItemId], r.Title));
        Assert.True(top.Zip(top.Skip(1)).All(p => p.Item1.Score >= p.Item2.Score), "best first");
        Assert.Equal(top.ToArray(), recommender.Recommend(session, 10).Value().ToArray());
    }

    /// <summary>GCE-GNN needs the global graph to be built: train reads the run's graphs stage, and
    /// recommend rebuilds the model from that stage's output (from the run folder or the cache).</summary>
    [Fact]
    public async Task Gcegnn_trains_on_the_graphs_stage_and_recommend_rebuilds_it_from_the_run()
    {
        // Without --until every stage of the catalogue runs; with no model that needs a graph, graphs builds none.
        Assert.Equal(Training.Graphs.GraphNeeds.None, (await fixture.Run.OutputAsync<Training.Graphs.TrainingGraphs>(GraphsStage.Name, default)).Value().Has);
        var run = await fixture.Workspace.RunAsync(MovieLensRun.Yaml("models: [gcegnn]\ntraining: {epochs: 1}\n"), ProductCatalog.Create(), runsFolder: "gcegnn");
        Assert.Contains(run.Stages, s => s.Name == GraphsStage.Name && s.Succeeded);
        using var fromRun = (await Recommender.LoadAsync(fixture.Workspace.RunDirectory("gcegnn"), "gcegnn")).Value();
        using var fromEntry = (await Recommender.LoadAsync(fixture.Workspace.Store.EntryDirectory(run[TrainStage.Name].Key!.Value), "gcegnn")).Value();
        var session = fixture.Samples.Test[0].Prefix;
        var top = fromRun.Recommend(session, 10).Value();
        Assert.Equal(10, top.Select(r => r.ItemId).Distinct().Count());
        Assert.Equal(top.ToArray(), fromEntry.Recommend(session, 10).Value().ToArray());

        Directory.Delete(Path.Combine(fixture.Workspace.RunDirectory("gcegnn"), GraphsStage.Name), recursive: true);
        var noGraphs = await Recommender.LoadAsync(fixture.Workspace.RunDirectory("gcegnn"), "gcegnn");
        Assert.Contains("graphs", noGraphs.ErrorMessage());
    }

    [Fact]
    public async Task Recommend_reads_a_cache_entry_too_and_names_what_is_wrong()
    {
        var entry = fixture.Workspace.Store.EntryDirectory(fixture.Run[TrainStage.Name].Key!.Value);
        using var fromEntry = (await Recommender.LoadAsync(entry, "srgnn")).Value();
        using var fromRun = (await Recommender.LoadAsync(fixture.Workspace.RunDirectory("movielens-small"), "srgnn")).Value();
        var session = fixture.Samples.Test[1].Prefix;
        Assert.Equal(fromRun.Recommend(session, 5).Value().ToArray(), fromEntry.Recommend(session, 5).Value().ToArray());

        var unknownModel = await Recommender.LoadAsync(entry, "vstan");
        Assert.Contains("trained models: pop, stan, srgnn", unknownModel.ErrorMessage());
        var unknownItem = fromEntry.Recommend([session[0], 987654321], 5);
        Assert.Contains("987654321", unknownItem.ErrorMessage());
        var notARun = await Recommender.LoadAsync(fixture.Workspace.Root, "srgnn");
        Assert.Contains("holds no trained models", notARun.ErrorMessage());
    }

    /// <summary>Purity, checked where it is claimed: each stage built with no effects, run again on the
    /// very inputs it had, writes the same bytes as its first output. Stages with declared effects
    /// (load, titles, infer, embed, train) are not held to it.</summary>
    [Fact]
    public async Task Every_pure_stage_rerun_on_its_inputs_writes_the_same_bytes()
    {
        var pipeline = ModelingWorkspace.Parse(MovieLensRun.Yaml(), ProductCatalog.Create())
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));
        var pure = pipeline.Stages.Where(s => s.Effects == Engine.Stages.StageEffects.None).ToList();
        Assert.Equal(["sessions", "split", "samples", "prompts", "localize", "batches", "session-graphs", "training-part", "graphs", "evaluate", "report"], pure.Select(s => s.Name));

        foreach (var stage in pure)
        {
            var inputs = ImmutableDictionary.CreateBuilder<string, object>();
            foreach (var input in stage.Inputs)
                inputs[input.Stage] = (await fixture.Run.OutputAsync<object>(input.Stage, default)).Value();
            var again = (await stage.RunAsync(new Engine.Stages.StageInputs(inputs.ToImmutable()), Engine.Stages.StageContext.Silent())).Value();
            var first = (await fixture.Run.OutputAsync<object>(stage.Name, default)).Value();
            Assert.True((await Encoded(stage, first)).SequenceEqual(await Encoded(stage, again)), $"{stage.Name} gave another output for the same inputs");
        }
    }

    async Task<ImmutableArray<(string File, string Sha256)>> Encoded(Engine.Stages.IStage stage, object value)
    {
        var folder = Path.Combine(fixture.Workspace.Root, "rerun", stage.Name, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var files = await stage.Codec.WriteAsync(value, folder, default);
        return [.. files.Select(f => (f, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, f))))))];
    }

    /// <summary>A copy of the run folder (the stage folders named and run.json), so damaging it leaves the fixture alone.</summary>
    string CopyOfRun(params string[] stages)
    {
        var run = fixture.Workspace.RunDirectory("movielens-small");
        var copy = Path.Combine(fixture.Workspace.Root, "damaged-" + Guid.NewGuid().ToString("N"));
        foreach (var stage in stages)
        {
            Directory.CreateDirectory(Path.Combine(copy, stage));
            foreach (var file in Directory.GetFiles(Path.Combine(run, stage)))
                File.Copy(file, Path.Combine(copy, stage, Path.GetFileName(file)));
        }
        File.Copy(Path.Combine(run, "run.json"), Path.Combine(copy, "run.json"));
        return copy;
    }

    [Theory]
    [InlineData("flipped")]
    [InlineData("truncated")]
    public async Task Recommend_refuses_a_damaged_checkpoint_naming_the_file_and_how_to_recover(string damage)
    {
        var run = CopyOfRun(TrainStage.Name);
        var weights = Directory.GetFiles(Path.Combine(run, TrainStage.Name), "*" + TrainedModelsCodec.WeightsExtension).Order(StringComparer.Ordinal).First();
        var bytes = File.ReadAllBytes(weights);
        if (damage == "flipped")
        {
            for (var i = bytes.Length - 64; i < bytes.Length - 32; i++) bytes[i] ^= 0x5A; // the weights, not the header
            File.WriteAllBytes(weights, bytes);
        }
        else
        {
            File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
        }

        var loaded = await Recommender.LoadAsync(run, "srgnn");

        var message = loaded.ErrorMessage();
        Assert.Contains(weights, message);
        Assert.Contains(damage == "flipped" ? "SHA-256" : $"{bytes.Length / 2} bytes", message);
        Assert.Contains($"llm4sbr run movielens-small --out {run}", message);
        Assert.DoesNotContain("past the end of the stream", message);
    }

    [Fact]
    public async Task The_views_for_recommend_refuse_damaged_title_embeddings_naming_the_file_and_how_to_recover()
    {
        var run = CopyOfRun([.. SessionViewSetup.Stages]);
        var titles = Directory.GetFiles(Path.Combine(run, TitlesStage.Name), "*.parquet").OrderByDescending(f => new FileInfo(f).Length).First();
        var bytes = File.ReadAllBytes(titles);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(titles, bytes);
        var pipeline = ModelingWorkspace.Parse(MovieLensRun.Yaml(), ProductCatalog.Create()).Match(p => p, e => throw new InvalidOperationException(e.Head.Message));

        var read = await RunIntent.ReadTitlesAsync(run, pipeline, CancellationToken.None);

        var message = read.ErrorMessage();
        Assert.Contains(titles, message);
        Assert.Contains("SHA-256", message);
        Assert.Contains($"llm4sbr run movielens-small --out {run}", message);
    }
}

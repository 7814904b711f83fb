using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Stages.Tests.Modeling.Support;
using Llm4Sbr.Training.Fitting;
using Xunit;

namespace Llm4Sbr.Stages.Tests.Modeling;

public sealed class ConfigurationTests
{
    static string Yaml(string modeling) => Repo.Pipeline("movielens-small", modeling);

    static TrainConfig TrainConfigOf(string modeling, StageCatalog? catalog = null) =>
        (TrainConfig)ModelingWorkspace.Parse(Yaml(modeling), catalog ?? ModelingWorkspace.Catalog())
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))))
            .Find(TrainStage.Name)!.Config;

    static string Errors(string modeling, StageCatalog? catalog = null) =>
        ModelingWorkspace.Parse(Yaml(modeling), catalog ?? ModelingWorkspace.Catalog())
            .Match(_ => throw new InvalidOperationException("expected errors"), e => string.Join("\n", e.Select(x => x.Message)));

    [Fact]
    public void Defaults_are_the_papers_with_srgnn_and_llm4sbr()
    {
        var config = TrainConfigOf("");
        Assert.Equal(["srgnn", "llm4sbr-srgnn"], config.Models.Select(m => m.Name));
        Assert.Equal(TrainingSettings.Default, config.Training);
        Assert.Equal((30, 100, 1e-3, 1e-5, 3, 0.1, 3, 100, 0.1), (config.Training.Epochs, config.Training.BatchSize, config.Training.LearningRate,
            config.Training.L2, config.Training.LearningRateStep, config.Training.LearningRateGamma, config.Training.Patience, config.Training.Hidden, config.Training.Lambda));
        Assert.Equal([42L], config.Training.Seeds.ToArray());
        Assert.Equal(TestViewsStage.Name, config.ViewsStage);
    }

    [Fact]
    public void Every_training_key_is_read()
    {
        var config = TrainConfigOf("""
            models: [pop, srgnn]
            training:
              epochs: 5
              batch_size: 64
              lr: 0.01
              l2: 0
              lr_step: 2
              lr_gamma: 0.5
              patience: 2
              min_gain: 0.0001
              hidden: 32
              lambda: 0.2
              gnn_steps: 2
              seeds: 3
              device: cpu
              select_on: p@10
              validation_fraction: 0.2
              validation_seed: 7
              test_each_epoch: false
              eval_batch_size: 128
            """);
        Assert.Equal(new TrainingSettings
        {
            Epochs = 5, BatchSize = 64, LearningRate = 0.01, L2 = 0, LearningRateStep = 2, LearningRateGamma = 0.5, Patience = 2, MinGain = 0.0001,
            Hidden = 32, Lambda = 0.2, GnnSteps = 2, Seeds = [42, 43, 44], Device = DeviceChoice.Cpu, SelectOn = "p@10",
            ValidationFraction = 0.2, ValidationSeed = 7, TestEachEpoch = false, EvaluationBatchSize = 128,
        } with { Seeds = config.Training.Seeds }, config.Training);
        Assert.Equal([42L, 43, 44], config.Training.Seeds.ToArray());
        Assert.Null(config.ViewsStage); // no model reads views
        Assert.Equal(new SelectionMetric(SelectionMeasure.Precision, 10), TrainRunner.Selection(config.Training.SelectOn));
    }

    [Fact]
    public void Unknown_models_and_bad_values_are_reported_together_with_the_valid_choices()
    {
        var errors = Errors("""
            models: [srgnn, gru5rec, srgnn]
            training:
              select_on: hr@20
              seeds: [7, 7]
              device: tpu
              epochs: 0
              min_gain: -1
            """);
        Assert.Contains("models[1]: 'gru5rec' is not one of pop, spop, iknn, sknn, vsknn, stan, vstan, gru4rec, llm4sbr-gru4rec", errors);
        Assert.Contains("models[2]: model 'srgnn' is listed twice", errors);
        Assert.Contains("training.select_on: 'hr@20' is not one of mrr@5, mrr@10, mrr@20, p@5", errors);
        Assert.Contains("seed 7 is listed twice", errors);
        Assert.Contains("training.device: 'tpu' is not one of auto, cpu, cuda", errors);
        Assert.Contains("training.epochs: 0 is out of range", errors);
        Assert.Contains("training.min_gain: -1 is out of range", errors);
    }

    /// <summary>A least gain of 0 (the reference's rule) leaves every fit key as it was before the setting
    /// existed, so cached fits stay valid; any other value is part of the key.</summary>
    [Fact]
    public void A_zero_least_gain_stays_out_of_the_fit_key()
    {
        var none = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty;
        var key = new FitKey("srgnn", none, "hidden=100", 30, 100, 1e-3, 1e-5, 3, 0.1, 3, "MRR@20", 42, 500, true, true, "cpu", "samples", none, none, null);
        var canonical = Engine.Keys.CanonicalJson.Serialize(key);
        Assert.DoesNotContain("min_gain", canonical);
        Assert.Contains("\"min_gain\":0.0001", Engine.Keys.CanonicalJson.Serialize(key with { MinGain = 0.0001 }));
    }

    [Fact]
    public void Models_that_need_views_fail_at_load_time_without_a_views_stage()
    {
        var errors = Errors("models: [srgnn, llm4sbr-srgnn, llm-infer]", ModelingWorkspace.Catalog(withViews: false));
        Assert.Contains("model 'llm4sbr-srgnn' needs the view embeddings long, short", errors);
        Assert.Contains("model 'llm-infer' needs the view embeddings long, short", errors);
        Assert.Contains("localize", errors);
        Assert.DoesNotContain("'srgnn' needs", errors);
        // The default models include llm4sbr-srgnn, so a pipeline without `models` needs views too.
        Assert.Contains("llm4sbr-srgnn", Errors("", ModelingWorkspace.Catalog(withViews: false)));
        Assert.Null(TrainConfigOf("models: [pop, srgnn]", ModelingWorkspace.Catalog(withViews: false)).ViewsStage);
    }

    [Fact]
    public void Model_parameters_are_validated_by_the_model_and_ignored_for_models_not_listed()
    {
        var stan = TrainConfigOf("""
            models: [stan, llm4sbr-srgnn]
            model_params:
              stan: {remind: false, k: 50}
              llm4sbr-srgnn: {lambda: 0.05}
              vstan: {remind: false}
            """);
        Assert.Equal([("k", "50"), ("remind", "false")], stan.Models[0].Parameters.Select(p => (p.Key, p.Value)));
        Assert.Equal("0.05", stan.Models[1].Parameters["lambda"]);
        Assert.Equal(2, stan.Models.Length);

        var errors = Errors("""
            models: [stan, srgnn]
            model_params:
              stan: {remindd: false}
              srgnn: {hiden: 10}
              transformer: {x: 1}
            """);
        Assert.Contains("unknown parameter 'remindd'", errors);
        Assert.Contains("model_params.srgnn.hiden: model 'srgnn' has no parameter 'hiden'; valid parameters: hidden, gnn_steps", errors);
        Assert.Contains("model_params.transformer: 'transformer' is not one of", errors);
    }

    [Fact]
    public void Each_backbone_checks_its_own_parameters_and_ranges()
    {
        var config = TrainConfigOf("""
            models: [sasrec, llm4sbr-gru4rec, tagnn]
            model_params:
              sasrec: {blocks: 3, dropout: 0.2, output: STATE}
              llm4sbr-gru4rec: {max_length: 20, lambda: 0.5}
              tagnn: {item_chunk: 512}
            """);
        Assert.Equal([("blocks", "3"), ("dropout", "0.2"), ("output", "state")], config.Models[0].Parameters.Select(p => (p.Key, p.Value)));
        Assert.Equal([("lambda", "0.5"), ("max_length", "20")], config.Models[1].Parameters.Select(p => (p.Key, p.Value)));
        Assert.Equal("512", config.Models[2].Parameters["item_chunk"]);

        var errors = Errors("""
            models: [sasrec, gru4rec, tagnn]
            model_params:
              sasrec: {heads: 0, output: mean}
              gru4rec: {lambda: 0.1}
              tagnn: {max_length: 5}
            """);
        Assert.Contains("model_params.sasrec.heads: model 'sasrec': 'heads' must be an integer from 1 to 16, got '0'", errors);
        Assert.Contains("model_params.sasrec.output: model 'sasrec': 'output' must be one of concat, state, got 'mean'", errors);
        // lambda weighs the LLM4SBR loss: a plain backbone has none.
        Assert.Contains("model_params.gru4rec.lambda: model 'gru4rec' has no parameter 'lambda'; valid parameters: hidden, dropout, max_length, output", errors);
        Assert.Contains("model_params.tagnn.max_length: model 'tagnn' has no parameter 'max_length'; valid parameters: hidden, gnn_steps, item_chunk", errors);
    }

    [Fact]
    public void Only_models_that_read_session_graphs_plan_the_session_graphs_stage()
    {
        IStage TrainOf(string models) => ModelingWorkspace.Parse(Yaml($"models: [{models}]"), ModelingWorkspace.Catalog())
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message)))).Find(TrainStage.Name)!;
        Assert.DoesNotContain("session-graphs", TrainOf("gru4rec, sasrec, pop").Inputs.Select(i => i.Stage));
        Assert.Contains("session-graphs", TrainOf("gru4rec, tagnn").Inputs.Select(i => i.Stage));
        Assert.Contains("session-graphs", TrainOf("llm4sbr-srgnn").Inputs.Select(i => i.Stage));
    }

    [Fact]
    public void Title_embedding_baselines_read_the_titles_stage_and_no_intent_stage()
    {
        string[] InputsOf(string models) => [.. ModelingWorkspace.Parse(Yaml($"models: [{models}]"), ProductCatalog.Create())
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message)))).Find(TrainStage.Name)!.Inputs.Select(i => i.Stage)];
        Assert.Equal(["batches", "samples", "split", "load", "titles"], InputsOf("llmseqsim"));
        Assert.Equal(["batches", "samples", "split", "load", "titles"], InputsOf("pop, llm2gru4rec"));
        Assert.Equal(["batches", "session-graphs", "samples", "split", "load"], InputsOf("srgnn, pop"));
        Assert.Equal(["batches", "samples", "split", "load", "localize", "titles", "infer"], InputsOf("llm4sbr-sasrec, llmseqsim"));
    }

    [Fact]
    public void Llmseqsim_parameters_are_checked_when_the_pipeline_is_read()
    {
        var config = TrainConfigOf("models: [llmseqsim]\nmodel_params:\n  llmseqsim: {combination: MEAN, decay: harmonic_squared}");
        Assert.Equal([("combination", "mean"), ("decay", "harmonic_squared")], config.Models[0].Parameters.Select(p => (p.Key, p.Value)));
        Assert.Equal(ModelFamily.TextSimilarity, config.Models[0].Family);

        var errors = Errors("models: [llmseqsim]\nmodel_params:\n  llmseqsim: {decay: harmonic, aggregation: mean, similarity: jaccard}");
        Assert.Contains("model_params.llmseqsim.aggregation: model 'llmseqsim' has no parameter 'aggregation'; valid parameters: combination, decay, similarity, exclude_session_items", errors);
        Assert.Contains("model_params.llmseqsim.similarity: model 'llmseqsim': 'similarity' must be one of cosine, dot, euclidean, got 'jaccard'", errors);
        Assert.Contains("decay 'harmonic' weighs a mean; it needs combination: mean", errors);

        var noTitles = Errors("models: [llm2srgnn]", ModelingWorkspace.Catalog(withViews: false));
        Assert.Contains("model 'llm2srgnn' reads the item-title embeddings, and no stage of this build produces them", noTitles);
    }

    [Fact]
    public void Command_line_overrides_replace_the_files_models_seeds_device_and_epochs()
    {
        var overrides = new ModelingOverrides { Models = ["POP", "srgnn"], Seeds = ModelingOverrides.SeedCount(2), Device = DeviceChoice.Cpu, Epochs = 4 };
        var config = TrainConfigOf("models: [stan]\ntraining: {epochs: 9}", ModelingWorkspace.Catalog(overrides));
        Assert.Equal(["pop", "srgnn"], config.Models.Select(m => m.Name));
        Assert.Equal([42L, 43], config.Training.Seeds.ToArray());
        Assert.Equal((DeviceChoice.Cpu, 4), (config.Training.Device, config.Training.Epochs));
        var bad = Errors("", ModelingWorkspace.Catalog(new ModelingOverrides { Models = ["nope"] }));
        Assert.Contains("--models: 'nope' is not one of", bad);
    }
}

public sealed class BundledPipelineTests
{
    [Theory]
    [InlineData("movielens-small")]
    [InlineData("amazon-beauty")]
    [InlineData("movielens-1m")]
    public void The_bundled_pipelines_train_the_baselines_srgnn_and_llm4sbr_with_the_papers_settings(string name)
    {
        var yaml = Repo.Sections(name, ["name", "description", "dataset", "sessions", "split", "samples", "models", "model_params", "training"]);
        var pipeline = ModelingWorkspace.Parse(yaml, ModelingWorkspace.Catalog())
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));
        var config = (TrainConfig)pipeline.Find(TrainStage.Name)!.Config;
        string[] backbones = name == "movielens-small"   // the main job shows every backbone and the LLM baselines
            ? ["llm-infer", "llmseqsim", "llm2srgnn", "gru4rec", "llm4sbr-gru4rec", "sasrec", "llm4sbr-sasrec", "srgnn", "llm4sbr-srgnn",
               "tagnn", "llm4sbr-tagnn", "gcegnn", "llm4sbr-gcegnn", "dhcn", "llm4sbr-dhcn"]
            : ["srgnn", "llm4sbr-srgnn"];
        Assert.Equal(["pop", "spop", "iknn", "sknn", "vsknn", "stan", "vstan", .. backbones], config.Models.Select(m => m.Name));
        Assert.Equal(TrainingSettings.Default with { Seeds = config.Training.Seeds }, config.Training);
        Assert.Equal([42L], config.Training.Seeds.ToArray());
    }
}

using Llm4Sbr.Stages.Intent.Infer;
using Llm4Sbr.Stages.Intent.Localize;
using Llm4Sbr.Stages.Intent.Titles;
using System.Collections.Immutable;
using System.Globalization;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Baselines;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Modeling.Batches;
using Llm4Sbr.Stages.Modeling.Graphs;
using Llm4Sbr.Training.Graphs;
using Llm4Sbr.Stages.Modeling.Views;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Fitting;
using Llm4Sbr.Training.Models;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Train;

/// <summary>The <c>train</c> stage: fits every model of <c>models</c> (each neural one once per
/// seed) on the same split and records checkpoints, per-epoch history, test ranks and timings.
/// <code>
/// models: [pop, stan, srgnn, llm4sbr-srgnn]   # default [srgnn, llm4sbr-srgnn]
/// model_params:                                # optional, per model
///   stan: {remind: false}                      # baselines: session-rec's parameter names
///   llm4sbr-srgnn: {lambda: 0.05}              # neural: hidden, lambda (LLM4SBR models) and the backbone's keys
///   llm-infer: {views: [long]}                 # llm-infer: the views it scores with
///   llmseqsim: {combination: mean, decay: harmonic, similarity: cosine, exclude_session_items: true}
/// training:
///   epochs: 30              # at most; early stopping ends sooner
///   batch_size: 100
///   lr: 0.001               # Adam
///   l2: 1e-5                # Adam weight decay
///   lr_step: 3              # lr x lr_gamma every lr_step epochs
///   lr_gamma: 0.1
///   patience: 3             # epochs without a validation gain before stopping
///   min_gain: 0             # least rise of the validation metric that counts as a gain (0: any rise)
///   hidden: 100
///   lambda: 0.1             # weight of the alignment + uniformity loss
///   gnn_steps: 1
///   seeds: [42]             # or a count N: seeds 42 .. 42+N-1
///   device: auto            # auto | cpu | cuda
///   select_on: mrr@20       # mrr@K | p@K | ndcg@K, K in 5, 10, 20: the validation metric that picks the epoch
///   validation_fraction: 0.1  # of the training sessions, carved with validation_seed
///   validation_seed: 42
///   test_each_epoch: true   # also test after every epoch, for the labelled paper-practice columns
///   eval_batch_size: 500
/// </code>
/// Parameters under <c>model_params</c> for models not listed are ignored (so <c>--models</c> can
/// pick a subset). Models that read view embeddings make the stage read <paramref name="viewsStage"/>;
/// with none available they fail at load time, naming what is missing. Models that read the items'
/// text embeddings (<c>llmseqsim</c>, <c>llm2X</c>) make it read <paramref name="itemTextsStage"/>
/// (<c>titles</c> in the product; any other stage must produce an <see cref="IViewEmbeddingSource"/>
/// with <see cref="IViewEmbeddingSource.ItemTitles"/>), and only that: they ask no LLM, so the intent
/// stages are not planned for them.</summary>
public sealed class TrainStage(string? viewsStage, ModelingOverrides? overrides = null, string? itemTextsStage = null) : IStageModule
{
    public const string Name = "train";
    public static readonly StageInput<TrainedModels> Output = new(Name);
    public static readonly string Version = $"1+trainer{Trainer.Version}+eval{Core.Evaluation.Evaluator.Version}+llminfer{Training.Evaluation.LlmInfer.Version}+llmseqsim{Training.Evaluation.LlmSeqSim.Version}";

    public static readonly ConfigChoices<DeviceChoice> Devices = new(
        ("auto", DeviceChoice.Auto), ("cpu", DeviceChoice.Cpu), ("cuda", DeviceChoice.Cuda));

    /// <summary>The stage's version for the listed models: <see cref="Version"/> and each listed model's code
    /// version (<see cref="ModelCatalog.CodeVersionOf"/>), so a bumped backbone changes the key of the runs
    /// that list it, and only those (their other fits are then reused from their parts).</summary>
    public static string VersionFor(IEnumerable<ModelChoice> models) =>
        Version + string.Concat(models.Select(ModelCatalog.CodeVersionOf).Where(v => v.Length > 0).Distinct().Order(StringComparer.Ordinal));

    static readonly ImmutableArray<string> SelectOnChoices =
        [.. new[] { "mrr", "p", "ndcg" }.SelectMany(m => new[] { 5, 10, 20 }.Select(k => $"{m}@{k}"))];

    readonly ModelingOverrides _overrides = overrides ?? ModelingOverrides.None;

    public string Stage => Name;
    public ImmutableArray<string> Sections => ["models", "model_params", "training"];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context)
    {
        var errors = new List<Error>();
        var models = ReadModels(sections["models"], errors);
        var training = sections["training"].Read(ReadTraining).Match(t => t, e => { errors.AddRange(e); return TrainingSettings.Default; });
        training = training with
        {
            Seeds = _overrides.Seeds.IsDefault ? training.Seeds : _overrides.Seeds,
            Device = _overrides.Device ?? training.Device,
            Epochs = _overrides.Epochs ?? training.Epochs,
        };
        var choices = ReadParameters(sections["model_params"], models, errors);

        var needViews = choices.Where(m => !ModelCatalog.ViewsOf(m).IsEmpty).ToList();
        if (needViews.Count > 0 && viewsStage is null)
            errors.AddRange(needViews.Select(m => EngineErrors.InvalidValue(ModelsLocation(sections["models"]),
                ModelingErrors.MissingViews(m.Name, ModelCatalog.ViewsOf(m),
                    "no stage of this build produces view embeddings (they come from the intent stages prompts, infer, embed, localize); "
                    + "remove the model from models (or --models), or run it with a build that includes the intent stages").Message)));
        var readTexts = choices.Where(ModelCatalog.ReadsItemTexts).ToList();
        if (readTexts.Count > 0 && itemTextsStage is null)
            errors.AddRange(readTexts.Select(m => EngineErrors.InvalidValue(ModelsLocation(sections["models"]),
                $"model '{m.Name}' reads the item-title embeddings, and no stage of this build produces them (the titles stage); "
                + "remove the model from models (or --models), or run it with a build that includes the titles stage")));
        if (errors.Count > 0) return Fail<Error, IStage>(errors.ToSeq());

        var config = new TrainConfig(choices, training, needViews.Count > 0 ? viewsStage : null);
        // The product's views come from localize (with titles for llm-infer and infer for the engine
        // label); any other views stage (tests, other builds) must produce an IViewEmbeddingSource itself.
        var graphs = choices.Any(m => ModelCatalog.FormatOf(m) == BatchFormat.SessionGraph);
        // The training-wide graphs (GCE-GNN, DHCN) only when a listed model's backbone declares them.
        var itemGraphs = choices.Any(m => ModelCatalog.GraphsOf(m) != GraphNeeds.None);
        ImmutableArray<IStageInput> common = graphs
            ? [BatchesStage.Output, SessionGraphsStage.Output, SamplesStage.Output, SplitStage.Output, LoadStage.Output]
            : [BatchesStage.Output, SamplesStage.Output, SplitStage.Output, LoadStage.Output];
        if (itemGraphs) common = common.Add(GraphsStage.Output);
        // The product's views come from localize (with titles for llm-infer and infer for the engine
        // label); any other views stage (tests, other builds) must produce an IViewEmbeddingSource itself.
        ImmutableArray<IStageInput> viewInputs = config.ViewsStage switch
        {
            null => common,
            LocalizeStage.Name => [.. common, LocalizeStage.Output, TitlesStage.Output, InferStage.Output],
            var other => [.. common, new StageInput<IViewEmbeddingSource>(other)],
        };
        var textsInput = readTexts.Count == 0 ? null : ItemTextsInput(itemTextsStage!);
        ImmutableArray<IStageInput> inputs = textsInput is null || viewInputs.Contains(textsInput) ? viewInputs : [.. viewInputs, textsInput];
        return Success<Error, IStage>(Engine.Stages.Stage.Async(Name, VersionFor(choices), StageEffects.ReadsClock | StageEffects.WritesFiles | StageEffects.RunsModels | StageEffects.ProcessState, config, TrainedModelsCodec.Instance, inputs,
            (c, i, ctx) => TrainRunner.RunAsync(c, new TrainInputs(
                i.Get(BatchesStage.Output), graphs ? i.Get(SessionGraphsStage.Output) : null,
                i.Get(SamplesStage.Output), i.Get(SplitStage.Output), i.Get(LoadStage.Output),
                itemGraphs ? i.Get(GraphsStage.Output) : null,
                c.ViewsStage switch
                {
                    null => null,
                    LocalizeStage.Name => new LocalizedViews(i.Get(LocalizeStage.Output), i.Get(TitlesStage.Output), i.Get(InferStage.Output)),
                    var other => i.Get(new StageInput<IViewEmbeddingSource>(other)),
                },
                textsInput switch
                {
                    null => null,
                    StageInput<TitleEmbeddings> titles => LocalizedViews.ItemTextsOf(i.Get(titles)),
                    var other => i.Get((StageInput<IViewEmbeddingSource>)other).ItemTitles,
                }), ctx)));
    }

    /// <summary>Where the item-title embeddings come from: the product's <c>titles</c> stage, or any
    /// stage producing an <see cref="IViewEmbeddingSource"/> (the tests' views).</summary>
    static IStageInput ItemTextsInput(string stage) =>
        stage == TitlesStage.Name ? TitlesStage.Output : new StageInput<IViewEmbeddingSource>(stage);

    /// <summary>The views the models listed in <paramref name="sections"/> (or <c>--models</c>) read, in
    /// model order: what the intent stages must produce. Errors are ignored here; the train stage
    /// reports them when it is built.</summary>
    public static ImmutableArray<string> ListedViews(PipelineSections sections, ModelingOverrides? overrides)
    {
        var ignored = new List<Error>();
        var stage = new TrainStage(LocalizeStage.Name, overrides);
        var models = stage.ReadModels(sections["models"], ignored);
        return [.. ReadParameters(sections["model_params"], models, ignored).SelectMany(m => ModelCatalog.ViewsOf(m)).Distinct()];
    }

    /// <summary>The training-wide graphs the models listed in <paramref name="sections"/> (or
    /// <c>--models</c>) need: what the <c>graphs</c> stage builds. Errors are ignored here, as in
    /// <see cref="ListedViews"/>.</summary>
    public static GraphNeeds ListedGraphNeeds(PipelineSections sections, ModelingOverrides? overrides)
    {
        var ignored = new List<Error>();
        var models = new TrainStage(LocalizeStage.Name, overrides).ReadModels(sections["models"], ignored);
        return models.Select(m => ModelCatalog.GraphsOf(new ModelChoice(m, ModelCatalog.FamilyOf(m).Match(f => f, _ => ModelFamily.Neural), ImmutableSortedDictionary<string, string>.Empty)))
            .Aggregate(GraphNeeds.None, (all, one) => all | one);
    }

    static EngineErrors.ConfigLocation ModelsLocation(ConfigSection section) => new(section.File, "models", section.Line);

    ImmutableArray<string> ReadModels(ConfigSection section, List<Error> errors)
    {
        ImmutableArray<(string Name, EngineErrors.ConfigLocation At)> listed;
        if (!_overrides.Models.IsDefault)
        {
            listed = [.. _overrides.Models.Select(m => (m, new EngineErrors.ConfigLocation("--models", "", null)))];
        }
        else
        {
            switch (section.Node)
            {
                case null:
                case ConfigScalar { IsNull: true }:
                    return ModelCatalog.DefaultModels;
                case ConfigList list:
                    var names = new List<(string, EngineErrors.ConfigLocation)>();
                    for (var i = 0; i < list.Items.Length; i++)
                    {
                        var at = new EngineErrors.ConfigLocation(section.File, $"models[{i}]", list.Items[i].Line);
                        if (list.Items[i] is ConfigScalar { IsNull: false } s) names.Add((s.Value.Trim(), at));
                        else errors.Add(EngineErrors.WrongType(at, list.Items[i].Describe(), "a model name"));
                    }
                    listed = [.. names];
                    break;
                default:
                    errors.Add(EngineErrors.WrongType(ModelsLocation(section), section.Node.Describe(), "a list of model names, e.g. [srgnn, llm4sbr-srgnn]"));
                    return [];
            }
        }
        if (listed.IsEmpty)
            errors.Add(EngineErrors.InvalidValue(ModelsLocation(section), $"lists no model; valid models: {string.Join(", ", ModelCatalog.Names)}"));
        var result = ImmutableArray.CreateBuilder<string>();
        foreach (var (name, at) in listed)
        {
            var canonical = ModelCatalog.Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            if (canonical is null) errors.Add(EngineErrors.NotOneOf(at, name, ModelCatalog.Names));
            else if (result.Contains(canonical)) errors.Add(EngineErrors.InvalidValue(at, $"model '{canonical}' is listed twice"));
            else result.Add(canonical);
        }
        return result.ToImmutable();
    }

    static ImmutableArray<ModelChoice> ReadParameters(ConfigSection section, ImmutableArray<string> models, List<Error> errors)
    {
        var given = new Dictionary<string, ConfigEntry>(StringComparer.OrdinalIgnoreCase);
        switch (section.Node)
        {
            case null:
            case ConfigScalar { IsNull: true }:
                break;
            case ConfigMap map:
                foreach (var entry in map.Entries)
                {
                    var at = new EngineErrors.ConfigLocation(section.File, $"model_params.{entry.Key}", entry.Line);
                    ModelCatalog.FamilyOf(entry.Key).Match(
                        Succ: _ => given[entry.Key] = entry,
                        Fail: _ => errors.Add(EngineErrors.NotOneOf(at, entry.Key, ModelCatalog.Names)));
                }
                break;
            default:
                errors.Add(EngineErrors.WrongType(section.Location, section.Node.Describe(), "a mapping from model name to its parameters"));
                break;
        }
        var choices = ImmutableArray.CreateBuilder<ModelChoice>();
        foreach (var name in models)
        {
            var family = ModelCatalog.FamilyOf(name).Match(f => f, _ => ModelFamily.Neural);
            var parameters = given.TryGetValue(name, out var entry)
                ? ReadModelParameters(name, family, new ConfigSection(section.File, $"model_params.{entry.Key}", entry.Value, entry.Line), errors)
                : ImmutableSortedDictionary<string, string>.Empty;
            choices.Add(new ModelChoice(name, family, parameters));
        }
        return choices.ToImmutable();
    }

    static ImmutableSortedDictionary<string, string> ReadModelParameters(string model, ModelFamily family, ConfigSection section, List<Error> errors)
    {
        var empty = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        switch (family)
        {
            case ModelFamily.Baseline:
                var parameters = ScalarMap(section, errors);
                BaselineRegistry.Create(model, parameters).Match(_ => { }, e => errors.Add(EngineErrors.InvalidValue(section.Location, e.Message)));
                return parameters;
            case ModelFamily.LlmInfer:
                return section.Read(r => r.Has("views") ? r.StringList("views", []) : default)
                    .Match(
                        views => views.IsDefault ? empty : Views(views, section, errors),
                        e => { errors.AddRange(e); return empty; });
            default:
                var schema = ModelRegistry.Find(model).Match(ModelRegistry.ParametersOf, _ => ParameterSchema.Empty);
                var given = ScalarMap(section, errors);
                var valid = empty.ToBuilder();
                foreach (var (key, text) in given)
                {
                    var at = new EngineErrors.ConfigLocation(section.File, $"{section.Path}.{key}", section.Line);
                    schema.Check(model, ImmutableSortedDictionary<string, string>.Empty.Add(key, text)).Match(
                        one => valid.AddRange(one),
                        e => errors.Add(EngineErrors.InvalidValue(at, e.Message)));
                }
                if (family == ModelFamily.TextSimilarity)
                    Training.Evaluation.LlmSeqSim.Options(schema.Resolve(valid)).Match(_ => { }, e => errors.Add(EngineErrors.InvalidValue(section.Location, e.Message)));
                return valid.ToImmutable();
        }

        /// <summary>A mapping of single values (<c>{key: value, ...}</c>) as text; anything else is an error.</summary>
        static ImmutableSortedDictionary<string, string> ScalarMap(ConfigSection section, List<Error> errors)
        {
            var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            if (section.Node is not ConfigMap map)
            {
                if (section.IsPresent) errors.Add(EngineErrors.WrongType(section.Location, section.Node!.Describe(), "a mapping of parameters, e.g. {hidden: 64}"));
                return values.ToImmutable();
            }
            foreach (var entry in map.Entries)
            {
                if (entry.Value is ConfigScalar { IsNull: false } s) values[entry.Key] = s.Value;
                else errors.Add(EngineErrors.WrongType(new(section.File, $"{section.Path}.{entry.Key}", entry.Line), entry.Value.Describe(), "a single value"));
            }
            return values.ToImmutable();
        }

        static ImmutableSortedDictionary<string, string> Views(ImmutableArray<string> views, ConfigSection section, List<Error> errors)
        {
            if (views.IsEmpty || views.Any(v => v.Contains(',') || string.IsNullOrWhiteSpace(v)))
                errors.Add(EngineErrors.InvalidValue(new(section.File, $"{section.Path}.views", section.Line), "expected a non-empty list of view names, e.g. [long, short]"));
            return ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal).Add("views", string.Join(",", views));
        }
    }

    /// <summary>The <c>training.patience</c> and <c>training.min_gain</c> the stage trains with (the defaults
    /// where the section does not read; the stage itself reports what is wrong with it).</summary>
    public static (int Patience, double MinGain) StoppingOf(ConfigSection training) =>
        training.Read(ReadTraining).Match(t => (t.Patience, t.MinGain), _ => (TrainingSettings.Default.Patience, TrainingSettings.Default.MinGain));

    static TrainingSettings ReadTraining(SectionReader r)
    {
        var d = TrainingSettings.Default;
        var settings = new TrainingSettings
        {
            Epochs = r.Int("epochs", d.Epochs, min: 1, max: 10_000),
            BatchSize = r.Int("batch_size", d.BatchSize, min: 1, max: 1_000_000),
            LearningRate = r.Double("lr", d.LearningRate, above: 0),
            L2 = r.Double("l2", d.L2, min: 0),
            LearningRateStep = r.Int("lr_step", d.LearningRateStep, min: 1),
            LearningRateGamma = r.Double("lr_gamma", d.LearningRateGamma, above: 0, max: 1),
            Patience = r.Int("patience", d.Patience, min: 1),
            MinGain = r.Double("min_gain", d.MinGain, min: 0),
            Hidden = r.Int("hidden", d.Hidden, min: 1, max: 4096),
            Lambda = r.Double("lambda", d.Lambda, min: 0),
            GnnSteps = r.Int("gnn_steps", d.GnnSteps, min: 1, max: 16),
            Seeds = ReadSeeds(r),
            Device = r.Choice("device", Devices, d.Device),
            SelectOn = r.String("select_on", d.SelectOn).Trim().ToLowerInvariant(),
            ValidationFraction = r.Double("validation_fraction", d.ValidationFraction, min: 0, below: 1),
            ValidationSeed = r.Long("validation_seed", d.ValidationSeed, min: 0),
            TestEachEpoch = r.Bool("test_each_epoch", d.TestEachEpoch),
            EvaluationBatchSize = r.Int("eval_batch_size", d.EvaluationBatchSize, min: 1, max: 1_000_000),
        };
        if (!SelectOnChoices.Contains(settings.SelectOn))
            r.Fail("select_on", $"'{settings.SelectOn}' is not one of {string.Join(", ", SelectOnChoices)}");
        return settings;
    }

    static ImmutableArray<long> ReadSeeds(SectionReader r)
    {
        var node = r.Section("seeds").Node;
        const string expected = "a count of seeds (e.g. 3: seeds 42, 43, 44) or a list of seeds (e.g. [42, 7])";
        switch (node)
        {
            case null:
            case ConfigScalar { IsNull: true }:
                return TrainingSettings.Default.Seeds;
            case ConfigScalar s when !s.Quoted && int.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 100:
                return TrainingSettings.SeedRange(count);
            case ConfigList list:
                var seeds = new List<long>();
                foreach (var item in list.Items)
                {
                    if (item is ConfigScalar { Quoted: false } v && long.TryParse(v.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
                    {
                        if (seeds.Contains(seed)) r.Fail("seeds", $"seed {seed} is listed twice");
                        seeds.Add(seed);
                    }
                    else r.Fail("seeds", $"{item.Describe()} is not a non-negative integer seed");
                }
                if (seeds.Count == 0) r.Fail("seeds", "lists no seed; expected " + expected);
                return seeds.Count == 0 ? TrainingSettings.Default.Seeds : [.. seeds];
            default:
                r.Fail("seeds", $"{node.Describe()} is not {expected}");
                return TrainingSettings.Default.Seeds;
        }
    }
}

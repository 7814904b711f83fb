using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Baselines;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Stages.Intent.Titles;
using Llm4Sbr.Stages.Modeling.Views;
using Llm4Sbr.Training.Evaluation;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Training.Checkpoints;
using Llm4Sbr.Training.Fitting;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Recommend;

/// <summary>One recommended item: source id, title and the model's score (higher is better;
/// comparable within one call only).</summary>
public sealed record Recommendation(int ItemId, string Title, float Score);

/// <summary>A trained model of a run, ready to recommend for new sessions. Neural models come back
/// from their checkpoint (the seed's weights at the validation-selected epoch); baselines are refitted
/// from the training sessions stored with the run (deterministic), and their fingerprint is checked
/// against the one recorded at training time; <c>llmseqsim</c> is rebuilt from the run's published
/// <c>titles/</c> folder, checked against the item table's hash recorded at training time. Owns native
/// memory for neural and text-similarity models: dispose it.
/// <code>
/// using var recommender = (await Recommender.LoadAsync("runs/movielens-small", "srgnn")).ThrowIfFail();
/// var top = recommender.Recommend([12, 7, 99], k: 10);   // Fin&lt;ImmutableArray&lt;Recommendation&gt;&gt;
/// </code></summary>
public sealed class Recommender : IDisposable
{
    readonly TrainedModel? _neural;
    readonly ISessionScorer? _baseline;
    readonly LlmSeqSimScorer? _text;
    readonly ItemVocabulary _vocabulary;
    readonly ImmutableDictionary<int, string> _titles;

    Recommender(string model, long seed, ModelFamily family, ItemVocabulary vocabulary, ImmutableDictionary<int, string> titles,
        TrainedModel? neural, ISessionScorer? baseline, LlmSeqSimScorer? text = null)
    {
        _text = text;
        Model = model;
        Seed = seed;
        Family = family;
        _vocabulary = vocabulary;
        _titles = titles;
        _neural = neural;
        _baseline = baseline;
    }

    public string Model { get; }
    /// <summary>The seed whose checkpoint is used; -1 for baselines.</summary>
    public long Seed { get; }
    public ModelFamily Family { get; }
    /// <summary>The views a session needs for this model (empty for SR-GNN and baselines).</summary>
    public ImmutableArray<string> RequiredViews => _neural?.Module.RequiredViews ?? [];

    /// <summary>The models a run trained, in order (for error messages and listings).</summary>
    public static async Task<Fin<ImmutableArray<string>>> ModelsAsync(string path, CancellationToken ct = default) =>
        (await ReadAsync(path, ct).ConfigureAwait(false)).Map(t => t.Trained.Models);

    /// <summary>Opens <paramref name="model"/> of the run at <paramref name="path"/>: a run folder
    /// (<c>runs/PIPELINE</c>, holding <c>train/</c>), the <c>train</c> folder itself, or a cache entry
    /// of the <c>train</c> stage. <paramref name="seed"/> picks a neural model's seed (default: the
    /// first trained).</summary>
    public static async Task<Fin<Recommender>> LoadAsync(string path, string model, long? seed = null,
        DeviceChoice device = DeviceChoice.Cpu, CancellationToken ct = default)
        => await (await ReadAsync(path, ct).ConfigureAwait(false))
            .BindAsync(read => OpenAsync(path, read.Folder, read.Trained, model, seed, device, ct)).ConfigureAwait(false);

    static async Task<Fin<Recommender>> OpenAsync(string path, string folder, TrainedModels trained, string model, long? seed,
        DeviceChoice device, CancellationToken ct)
    {
        var runs = trained.Runs.Where(r => string.Equals(r.Model, model, StringComparison.OrdinalIgnoreCase)).ToList();
        if (runs.Count == 0) return ModelingErrors.UnknownRunModel(model, trained.Models);
        var run = seed is { } s ? runs.FirstOrDefault(r => r.Seed == s) : runs[0];
        if (run is null)
            return ModelingErrors.RecommendInput($"model '{runs[0].Model}' was not trained with seed {seed}; its seeds: {string.Join(", ", runs.Select(r => r.Seed))}");

        var vocabulary = new ItemVocabulary([0, .. trained.Items.Select(i => i.ItemId)]);
        var titles = trained.Items.ToImmutableDictionary(i => i.ItemId, i => i.Title);
        if (run.Family == ModelFamily.TextSimilarity)
        {
            var root = RunIntent.RunRoot(path);
            var texts = await RunIntent.ReadTitleFolderAsync(root, RunIntent.PipelineName(root) ?? "PIPELINE", ct).ConfigureAwait(false);
            return from t in texts
                   from d in TorchDevices.Resolve(device)
                   from scorer in TextScorer(run, vocabulary, t, d)
                   select new Recommender(run.Model, run.Seed, run.Family, vocabulary, titles, null, null, scorer);
        }
        return run.Family switch
        {
            ModelFamily.Neural => (await GraphsFor(run.Model, folder, ct).ConfigureAwait(false))
                .Bind(graphs => TrainedCheckpoints.Load(trained, run, device, graphs))
                .Map(n => new Recommender(run.Model, run.Seed, run.Family, vocabulary, titles, n, null)),
            ModelFamily.Baseline => Refit(trained, run, vocabulary).Map(b => new Recommender(run.Model, run.Seed, run.Family, vocabulary, titles, null, b)),
            _ => ModelingErrors.RecommendInput($"model '{run.Model}' scores the LLM's view embeddings of a session; recommend serves trained models "
                + $"and baselines (in this run: {string.Join(", ", trained.Runs.Where(r => r.Family != ModelFamily.LlmInfer).Select(r => r.Model).Distinct())})"),
        };
    }

    /// <summary>The <paramref name="k"/> best next items after the session <paramref name="itemIds"/>
    /// (source ids, oldest first), best first. Items the model never saw are an error naming them.
    /// Models with views need the session's view embeddings in <paramref name="views"/> (one vector
    /// per view, from the intent stages); the others ignore it.</summary>
    public Fin<ImmutableArray<Recommendation>> Recommend(IReadOnlyList<int> itemIds, int k, IReadOnlyDictionary<string, float[]>? views = null)
    {
        if (k < 1) return ModelingErrors.RecommendInput($"k must be at least 1, got {k}");
        if (itemIds.Count == 0) return ModelingErrors.RecommendInput("the session has no items; give at least one item id");
        var unknown = itemIds.Where(id => !_vocabulary.TryIndexOf(id, out _)).Distinct().ToList();
        if (unknown.Count > 0)
            return ModelingErrors.RecommendInput($"item(s) {string.Join(", ", unknown)} are not among the {_vocabulary.Count:N0} items model '{Model}' was trained on");
        if (_neural is not null)
        {
            var missing = RequiredViews.Where(v => views is null || !views.ContainsKey(v)).ToList();
            if (missing.Count > 0)
                return ModelingErrors.RecommendInput($"model '{Model}' needs the session's view embeddings {string.Join(", ", RequiredViews)} "
                    + "(made by SessionViews with the run's intent settings, as llm4sbr recommend does)");
            return _neural.Recommend(itemIds, k, views).Map(items => items.Select(i => Titled(i.ItemId, i.Score)).ToImmutableArray());
        }
        if (_text is not null) return RecommendByText(_text, itemIds, k);
        var top = Recommendations.Recommend(_baseline!, _vocabulary, itemIds, k);
        return top.Select(i => Titled(i.ItemId, i.Score)).ToImmutableArray();
    }

    /// <summary>The best <paramref name="k"/> items by text similarity; items left out (the session's own,
    /// score -inf) are never recommended.</summary>
    ImmutableArray<Recommendation> RecommendByText(LlmSeqSimScorer scorer, IReadOnlyList<int> itemIds, int k)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var scores = scorer.Scores([[.. itemIds.Select(_vocabulary.IndexOf)]])[0];
        var (values, columns) = scores.topk(Math.Min(k, _vocabulary.Count));
        var top = values.cpu().data<float>().ToArray();
        var cols = columns.cpu().data<long>().ToArray();
        return [.. cols.Select((c, i) => (Column: c, Score: top[i])).Where(p => !float.IsNegativeInfinity(p.Score))
            .Select(p => Titled(_vocabulary.IdAt((int)p.Column + 1), p.Score))];
    }

    /// <summary>The <c>llmseqsim</c> run rebuilt from the run's titles: the same options and, checked by
    /// the recorded fingerprint, the same item table.</summary>
    static Fin<LlmSeqSimScorer> TextScorer(ModelRun run, ItemVocabulary vocabulary, TitleEmbeddings titles, TorchSharp.torch.Device device) =>
        from spec in ModelRegistry.Find(run.Model)
        let resolved = ModelRegistry.ParametersOf(spec).Resolve(run.Parameters)
        from options in LlmSeqSim.Options(resolved)
        from table in LlmInfer.AlignToVocabulary(LocalizedViews.ItemTextsOf(titles), vocabulary)
        from scorer in TrainRunner.TextSimilarityFingerprint(run.Model, resolved, table) == run.Fingerprint
            ? FinSucc(new LlmSeqSimScorer(table, options, device))
            : FinFail<LlmSeqSimScorer>(ModelingErrors.RecommendInput($"model '{run.Model}' would be rebuilt from the run's titles as "
                + $"[{TrainRunner.TextSimilarityFingerprint(run.Model, resolved, table)}], but the run scored [{run.Fingerprint}]: its titles folder "
                + "is not the one the train stage read (or this build differs); rerun the pipeline"))
        select scorer;

    Recommendation Titled(int itemId, float score) =>
        new(itemId, _titles.TryGetValue(itemId, out var title) ? title : Item.PlaceholderTitle(itemId), score);

    public void Dispose()
    {
        _neural?.Dispose();
        _text?.Dispose();
    }

    /// <summary>The run's training-wide graphs when <paramref name="model"/>'s backbone needs them, else none.</summary>
    static async Task<Fin<Training.Graphs.TrainingGraphs>> GraphsFor(string model, string trainFolder, CancellationToken ct) =>
        ModelRegistry.Find(model).Match(ModelRegistry.GraphsOf, _ => Training.Graphs.GraphNeeds.None) == Training.Graphs.GraphNeeds.None
            ? Training.Graphs.TrainingGraphs.None
            : await RunGraphs.ReadAsync(trainFolder, ct).ConfigureAwait(false);

    static async Task<Fin<(string Folder, TrainedModels Trained)>> ReadAsync(string path, CancellationToken ct)
    {
        var folder = Path.GetFullPath(path);
        if (!Directory.Exists(folder)) return ModelingErrors.NotARun(path, "no such folder");
        if (!File.Exists(Path.Combine(folder, "runs.parquet")))
        {
            var train = Path.Combine(folder, TrainStage.Name);
            if (!File.Exists(Path.Combine(train, "runs.parquet")))
                return ModelingErrors.NotARun(path, $"neither it nor its '{TrainStage.Name}' folder holds the train stage's files (runs.parquet); run the pipeline through the train stage first");
            folder = train;
        }
        // Every file against the size and SHA-256 the folder's manifest records, before any is read: a
        // damaged checkpoint would otherwise give wrong rankings, or an error that names no file.
        if (await ManifestFiles.CheckFolderAsync(folder, ct).ConfigureAwait(false) is { } damaged)
            return ModelingErrors.DamagedRun(folder, damaged.Name, damaged.Reason, TrainStage.Name, RunIntent.PipelineName(RunIntent.RunRoot(folder)) ?? "PIPELINE");
        var read = await TrainedModelsCodec.Instance.ReadAsync(folder, ct).ConfigureAwait(false);
        return read.Match(t => FinSucc((folder, t)), e => FinFail<(string, TrainedModels)>(ModelingErrors.NotARun(path, e.Message)));
    }

    static Fin<ISessionScorer> Refit(TrainedModels trained, ModelRun run, ItemVocabulary vocabulary)
    {
        if (trained.BaselineSessions.IsEmpty)
            return ModelingErrors.NotARun(run.Model, "the run stored no training sessions to refit the baseline from");
        return BaselineRegistry.Create(run.Model, run.Parameters).Bind(algorithm =>
        {
            var fingerprint = TrainRunner.BaselineFingerprint(algorithm, trained.BaselineSessions);
            if (fingerprint != run.Fingerprint)
                return FinFail<ISessionScorer>(ModelingErrors.RecommendInput($"baseline '{run.Model}' would be refitted as [{fingerprint}], but the run fitted [{run.Fingerprint}]: "
                    + "this build's algorithm differs from the run's; rerun the train stage"));
            return TrainingSessions.FromSessions(trained.BaselineSessions, vocabulary).Map(sessions => algorithm.Fit(sessions));
        });
    }
}

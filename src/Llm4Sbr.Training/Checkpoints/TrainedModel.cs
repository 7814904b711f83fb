using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Evaluation;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Fitting;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Checkpoints;

/// <summary>What <c>checkpoint.json</c> holds beside the weights (<c>model.bin</c>, TorchSharp's
/// <c>Module.save</c> format): enough to rebuild the module and map its outputs back to item ids.</summary>
public sealed record CheckpointManifest(
    int Format,
    string Model,
    ModelOptions ModelOptions,
    ImmutableSortedDictionary<string, int> ViewDims,
    ImmutableArray<int> Vocabulary,
    int SelectedEpoch,
    TrainerOptions? TrainerOptions)
{
    /// <summary>3: models are a backbone inside a wrapper (state-dict keys <c>backbone.*</c>, <c>views.*</c>)
    /// and <see cref="ModelOptions"/> carries the backbone's parameters; 2: the item table has no padding
    /// row (format 1's table had one more row).</summary>
    public const int CurrentFormat = 3;
}

/// <summary>A trained model (weights of the selected epoch) with its vocabulary: evaluates, recommends,
/// saves to and loads from a checkpoint directory. Owns native memory: dispose it.</summary>
public sealed class TrainedModel : IDisposable
{
    public const string WeightsFile = "model.bin";
    public const string ManifestFile = "checkpoint.json";

    public ModelSpec Spec { get; }
    public ModelOptions Options { get; }
    public ItemVocabulary Vocabulary { get; }
    public ImmutableSortedDictionary<string, int> ViewDims { get; }
    public int SelectedEpoch { get; }
    public TrainerOptions? TrainerOptions { get; }
    public SessionModel Module { get; }
    public Device Device { get; }

    public TrainedModel(ModelSpec spec, ModelOptions options, ItemVocabulary vocabulary, ImmutableSortedDictionary<string, int> viewDims,
        int selectedEpoch, TrainerOptions? trainerOptions, SessionModel module, Device device)
    {
        Spec = spec; Options = options; Vocabulary = vocabulary; ViewDims = viewDims;
        SelectedEpoch = selectedEpoch; TrainerOptions = trainerOptions; Module = module; Device = device;
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public EvaluationResult Evaluate(TrainingSplit split, int batchSize = 500, IEnumerable<int>? cutoffs = null) =>
        ModelEvaluation.Evaluate(Module, split, Device, batchSize, cutoffs);

    /// <summary>Writes <c>model.bin</c> and <c>checkpoint.json</c> into <paramref name="directory"/> (created if needed).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        Module.save(Path.Combine(directory, WeightsFile));
        var manifest = new CheckpointManifest(CheckpointManifest.CurrentFormat, Spec.Name, Options, ViewDims,
            Vocabulary.IdsByIndex, SelectedEpoch, TrainerOptions);
        File.WriteAllText(Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, Json));
    }

    /// <summary>Rebuilds the model saved in <paramref name="directory"/> on the chosen device. A model whose
    /// backbone needs the training-wide graphs (GCE-GNN, DHCN) is rebuilt from <paramref name="graphs"/>,
    /// the run's <c>graphs</c> output (the graphs are training data, not weights: the checkpoint does not hold them).</summary>
    public static Fin<TrainedModel> Load(string directory, DeviceChoice deviceChoice = DeviceChoice.Auto, Graphs.TrainingGraphs? graphs = null)
    {
        var manifestPath = Path.Combine(directory, ManifestFile);
        var weightsPath = Path.Combine(directory, WeightsFile);
        if (!File.Exists(manifestPath)) return Error.New($"no checkpoint in '{directory}': {ManifestFile} is missing");
        if (!File.Exists(weightsPath)) return Error.New($"no checkpoint in '{directory}': {WeightsFile} is missing");
        CheckpointManifest? manifest;
        try { manifest = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(manifestPath), Json); }
        catch (JsonException e) { return Error.New($"{manifestPath}: not a checkpoint manifest ({e.Message})"); }
        if (manifest is null || manifest.Vocabulary.IsDefaultOrEmpty)
            return Error.New($"{manifestPath}: not a checkpoint manifest");
        if (manifest.Format != CheckpointManifest.CurrentFormat)
            return Error.New($"{manifestPath}: checkpoint format {manifest.Format}, this build reads format {CheckpointManifest.CurrentFormat}");
        var vocabulary = new ItemVocabulary(manifest.Vocabulary);
        _ = TorchRuntime.Prepare(); // before the first product: see MklAmdDispatch
        return from spec in ModelRegistry.Find(manifest.Model)
               from device in TorchDevices.Resolve(deviceChoice)
               from dense in (graphs ?? Graphs.TrainingGraphs.None).ForVocabulary(vocabulary)
               from module in ModelRegistry.Create(spec, vocabulary.Size, manifest.ModelOptions, manifest.ViewDims, graphs: dense)
               from model in Restore(spec, manifest, vocabulary, module, weightsPath, device)
               select model;
    }

    /// <summary>The module with its weights, or an error naming the weights file. The module owns native
    /// memory: it is disposed here whenever it is not handed out.</summary>
    private static Fin<TrainedModel> Restore(ModelSpec spec, CheckpointManifest manifest, ItemVocabulary vocabulary, SessionModel module, string weightsPath, Device device)
    {
        try
        {
            module.load(weightsPath);
            module.to(device);
            module.eval();
        }
        catch (Exception e) when (e is IOException or ArgumentException or FormatException or System.Runtime.InteropServices.ExternalException)
        {
            module.Dispose();
            return Error.New($"{weightsPath}: the weights cannot be read ({e.Message}); the file is damaged or from another model: train again");
        }
        catch
        {
            module.Dispose();
            throw;
        }
        return new TrainedModel(spec, manifest.ModelOptions, vocabulary, manifest.ViewDims, manifest.SelectedEpoch, manifest.TrainerOptions, module, device);
    }

    /// <summary>The top <paramref name="k"/> items for a session of item ids (oldest first), best first.
    /// Models with views need each view's text embedding of this
    /// session in <paramref name="views"/>. Items of the session itself are not excluded (SR-GNN does not).</summary>
    public Fin<ImmutableArray<ScoredItem>> Recommend(IReadOnlyList<int> sessionItemIds, int k, IReadOnlyDictionary<string, float[]>? views = null)
    {
        if (k < 1) return Error.New($"k must be at least 1, got {k}");
        if (sessionItemIds.Count == 0) return Error.New("the session has no items");
        var unknown = sessionItemIds.Where(id => !Vocabulary.TryIndexOf(id, out _)).Distinct().ToArray();
        if (unknown.Length > 0) return Error.New($"item(s) {string.Join(", ", unknown)} are not in the model's vocabulary ({Vocabulary.Count} items)");
        var required = Module.RequiredViews;
        var viewList = new List<SampleViewEmbeddings>();
        foreach (var name in required)
        {
            if (views is null || !views.TryGetValue(name, out var vector))
                return Error.New($"model '{Spec.Name}' needs the '{name}' view embedding of the session; needed views: {string.Join(", ", required)}");
            if (vector.Length != ViewDims[name])
                return Error.New($"view '{name}' has {vector.Length} dimensions, the model expects {ViewDims[name]}");
            viewList.Add(new SampleViewEmbeddings(name, [0L], new EmbeddingMatrix(1, vector.Length, vector)));
        }
        var indices = sessionItemIds.Select(Vocabulary.IndexOf).ToArray();
        var sample = new PreparedSample(0, 0, [.. indices], Target: 1);
        var set = new PreparedSampleSet([sample]);
        if (Module.Input.SessionGraphs) set = set.WithSessionGraphs();
        return ViewJoin.Join(set, viewList).Map(joined =>
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            Module.eval();
            var batch = BatchTensors.Create(set, joined, [0], Module.Input, Device);
            var scores = Module.forward(batch).Scores[0];
            var (values, columns) = scores.topk(Math.Min(k, Vocabulary.Count));
            var topScores = values.cpu().data<float>().ToArray();
            var topColumns = columns.cpu().data<long>().ToArray();
            return ImmutableArray.CreateRange(topColumns.Select((c, i) => new ScoredItem(Vocabulary.IdAt((int)c + 1), topScores[i])));
        });
    }

    public void Dispose() => Module.Dispose();
}

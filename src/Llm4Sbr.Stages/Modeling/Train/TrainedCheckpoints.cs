using LanguageExt;
using Llm4Sbr.Training.Checkpoints;
using Llm4Sbr.Training.Fitting;

namespace Llm4Sbr.Stages.Modeling.Train;

/// <summary>Neural models back from the <c>train</c> stage's files.</summary>
public static class TrainedCheckpoints
{
    /// <summary>The weights of <paramref name="run"/> (its seed, its selected epoch) on the chosen
    /// device. The training library reads a checkpoint folder (<c>model.bin</c>,
    /// <c>checkpoint.json</c>) and the stage keeps flat files, so they are staged in a scratch folder.
    /// <paramref name="graphs"/>: the run's training-wide graphs, for a backbone that needs them.</summary>
    public static Fin<TrainedModel> Load(TrainedModels trained, ModelRun run, DeviceChoice device, Training.Graphs.TrainingGraphs? graphs = null)
    {
        var weights = trained.Files.FirstOrDefault(f => f.Name == TrainedModelsCodec.WeightsFile(run.Checkpoint));
        var manifest = trained.Files.FirstOrDefault(f => f.Name == TrainedModelsCodec.ManifestFile(run.Checkpoint));
        if (run.Checkpoint.Length == 0 || weights is null || manifest is null)
            return ModelingErrors.NotARun(run.Model, $"the checkpoint of seed {run.Seed} is missing");
        var scratch = Path.Combine(Path.GetTempPath(), $"llm4sbr-checkpoint-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        try
        {
            File.WriteAllBytes(Path.Combine(scratch, TrainedModel.WeightsFile), weights.ReadAllBytes());
            File.WriteAllBytes(Path.Combine(scratch, TrainedModel.ManifestFile), manifest.ReadAllBytes());
            return TrainedModel.Load(scratch, device, graphs);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}

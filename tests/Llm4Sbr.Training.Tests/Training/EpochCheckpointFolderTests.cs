using System.Collections.Immutable;
using Llm4Sbr.Training.Fitting;
using Llm4Sbr.Training.Optimisation;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using Xunit;

namespace Llm4Sbr.Training.Tests.Training;

/// <summary>A checkpoint that cannot be saved leaves nothing half-written behind (a full disk needs its
/// space back) and keeps the older checkpoint, so the fit still resumes from it.</summary>
public sealed class EpochCheckpointFolderTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "llm4sbr-checkpoints-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    static EpochCheckpoint Checkpoint(int epoch, torch.Tensor weight) => new()
    {
        Model = "srgnn", Seed = 7, Epoch = epoch, Selection = EpochSelection.Start(3, 0),
        Epochs = [], Timings = [], BestValidation = null, BestTest = null,
        Weights = new Dictionary<string, torch.Tensor> { ["w"] = weight }, Best = null,
        Updater = new UpdaterState(epoch, [[1f, 2f]], [[3f, 4f]]),
        RandomState = torch.zeros(4, torch.ScalarType.Byte),
        GeneratorStates = ImmutableArray<torch.Tensor>.Empty,
    };

    [Fact]
    public void A_save_that_fails_midway_removes_its_partial_folder_and_keeps_the_older_checkpoint()
    {
        var checkpoints = new EpochCheckpointFolder(folder, NullLogger.Instance);
        using (var first = Checkpoint(1, torch.tensor(new[] { 0f, 1f, 2f, 3f, 4f, 5f })))
            checkpoints.Save(first);

        // A tensor that cannot be read fails the write after tensors.bin was opened and partly written.
        var broken = torch.ones(3);
        broken.Dispose();
        using var second = Checkpoint(2, torch.ones(2));
        var failing = new EpochCheckpoint
        {
            Model = second.Model, Seed = second.Seed, Epoch = 2, Selection = second.Selection, Epochs = [], Timings = [],
            BestValidation = null, BestTest = null, Best = null, Updater = second.Updater, RandomState = second.RandomState,
            GeneratorStates = [], Weights = new Dictionary<string, torch.Tensor> { ["a"] = second.Weights["w"], ["b"] = broken },
        };
        Assert.ThrowsAny<Exception>(() => checkpoints.Save(failing));

        Assert.Equal(["epoch-0001"], Directory.GetDirectories(folder).Select(Path.GetFileName));
        using var latest = checkpoints.Latest();
        Assert.Equal(1, latest?.Epoch);
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], latest!.Weights["w"].data<float>().ToArray());
    }

    [Fact]
    public void A_save_the_file_system_refuses_names_the_model_the_epoch_and_the_folder()
    {
        var checkpoints = new EpochCheckpointFolder(folder, NullLogger.Instance);
        using (var first = Checkpoint(1, torch.ones(2)))
            checkpoints.Save(first);
        // A file where the epoch's folder goes: the folder cannot be made.
        File.WriteAllText(Path.Combine(folder, "epoch-0002"), "in the way");

        using var second = Checkpoint(2, torch.ones(2));
        var error = Assert.Throws<IOException>(() => checkpoints.Save(second));

        Assert.Contains("epoch 2 checkpoint of srgnn (seed 7)", error.Message);
        Assert.Contains(Path.Combine(folder, "epoch-0002"), error.Message);
        using var latest = checkpoints.Latest();
        Assert.Equal(1, latest?.Epoch);
    }
}

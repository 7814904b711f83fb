using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Benchmarks;
using Llm4Sbr.Training.Fitting;
using Llm4Sbr.Training.Graphs;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using Llm4Sbr.Core.Reporting;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Training;

/// <summary>A fit killed after an epoch resumes from its checkpoint and ends exactly where the
/// uninterrupted fit ends: same losses, same selected epoch, same test ranks, same weights.</summary>
public class EpochResumeTests
{
    static TrainerOptions Options => new()
    {
        Epochs = 3, Device = DeviceChoice.Cpu, Seed = 11, Patience = 3, EvaluateTestEachEpoch = true,
    };

    static TrainingData Data(string model)
    {
        var slice = BeautySlice.Load();
        var data = BeautySlice.Data(slice, model.StartsWith("llm4sbr", StringComparison.Ordinal) ? BeautySlice.RandomViews(slice, 16, "long", "short") : null);
        var needs = ModelRegistry.Find(model).Match(s => ModelRegistry.GraphsOf(s), e => throw new InvalidOperationException(e.Message));
        return needs == GraphNeeds.None ? data
            : data with { Graphs = TrainingBenchmark.Graphs(slice.Train, new GraphsOptions(needs.HasFlag(GraphNeeds.GlobalItemGraph) ? new GlobalGraphOptions() : null, needs.HasFlag(GraphNeeds.ItemHypergraph))) };
    }

    static TrainingOutcome Train(string model, TrainingData data, IEpochCheckpoints? checkpoints, CancellationToken cancellation = default,
        IProgress<TrainingProgress>? progress = null) =>
        Trainer.Train(model, data, new ModelOptions(), Options, NullLogger.Instance, progress, cancellation, checkpoints)
            .Match(o => o, e => throw new InvalidOperationException(e.Message));

    [Theory]
    [InlineData("srgnn")]
    [InlineData("gru4rec")]            // dropout: torch's default generator
    [InlineData("sasrec")]
    [InlineData("dhcn")]               // its own generator for the contrastive shuffles
    [InlineData("gcegnn")]
    [InlineData("llm4sbr-sasrec")]     // views, alignment and uniformity
    public void A_fit_killed_after_an_epoch_resumes_to_the_same_result(string model)
    {
        var data = Data(model);
        var folder = Path.Combine(Path.GetTempPath(), "llm4sbr-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            var straight = Train(model, data, checkpoints: null);

            // The first attempt is cancelled as epoch 1 ends: its checkpoint is saved, epoch 2 never runs.
            using var cancel = new CancellationTokenSource();
            var stopAfterFirst = new SynchronousProgress<TrainingProgress>(p =>
            {
                if (p.Phase == TrainingPhase.EpochDone && p.Epoch == 1) cancel.Cancel();
            });
            Assert.ThrowsAny<OperationCanceledException>(() => Train(model, data, new EpochCheckpointFolder(folder, NullLogger.Instance), cancel.Token, stopAfterFirst));
            var checkpoints = new EpochCheckpointFolder(folder, NullLogger.Instance);
            using (var saved = checkpoints.Latest())
                Assert.Equal(1, saved?.Epoch);

            // Something else draws from torch's generator in between, as another fit of the process would.
            using (torch.rand(1000)) { }
            var resumed = Train(model, data, checkpoints);

            using (straight.Model)
            using (resumed.Model)
            {
                Assert.Equal(straight.Result.Epochs.Select(e => e.MeanLoss), resumed.Result.Epochs.Select(e => e.MeanLoss));
                Assert.Equal(straight.Result.Epochs.Select(e => e.MeanAuxiliaryLoss), resumed.Result.Epochs.Select(e => e.MeanAuxiliaryLoss));
                Assert.Equal(straight.Result.SelectedEpoch, resumed.Result.SelectedEpoch);
                Assert.Equal(straight.Result.TestRanks.ToArray(), resumed.Result.TestRanks.ToArray());
                var a = straight.Model.Module.state_dict();
                var b = resumed.Model.Module.state_dict();
                foreach (var (key, value) in a)
                    Assert.True(value.equal(b[key]).all().item<bool>(), $"{model}: {key} differs after resuming");
            }
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_damaged_checkpoint_is_passed_over_for_the_one_before_it()
    {
        var data = Data("srgnn");
        var folder = Path.Combine(Path.GetTempPath(), "llm4sbr-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var cancel = new CancellationTokenSource();
            var stopAfterSecond = new SynchronousProgress<TrainingProgress>(p =>
            {
                if (p.Phase == TrainingPhase.EpochDone && p.Epoch == 2) cancel.Cancel();
            });
            var checkpoints = new EpochCheckpointFolder(folder, NullLogger.Instance);
            Assert.ThrowsAny<OperationCanceledException>(() => Train("srgnn", data, checkpoints, cancel.Token, stopAfterSecond));
            // Only the newest is kept; keep a copy of it as epoch 1's, then damage the newest's tensors.
            var second = Path.Combine(folder, "epoch-0002");
            Assert.Equal(["epoch-0002"], Directory.GetDirectories(folder).Select(Path.GetFileName));
            using (var saved = checkpoints.Latest()!)
            {
                var first = new EpochCheckpoint
                {
                    Model = saved.Model, Seed = saved.Seed, Epoch = 1, Selection = saved.Selection, Epochs = saved.Epochs[..1],
                    Timings = saved.Timings[..1], BestValidation = saved.BestValidation, BestTest = saved.BestTest,
                    Weights = saved.Weights, Best = saved.Best, Updater = saved.Updater, RandomState = saved.RandomState, GeneratorStates = saved.GeneratorStates,
                };
                EpochCheckpointFiles.Write(first, Path.Combine(folder, "epoch-0001"));
            }
            var tensors = Path.Combine(second, EpochCheckpointFiles.TensorsFile);
            var bytes = File.ReadAllBytes(tensors);
            bytes[^1] ^= 0xFF;
            File.WriteAllBytes(tensors, bytes);

            Assert.Contains("SHA-256", EpochCheckpointFiles.Read(second).Match(_ => "", e => e.Message));
            using var latest = checkpoints.Latest();
            Assert.Equal(1, latest?.Epoch);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}

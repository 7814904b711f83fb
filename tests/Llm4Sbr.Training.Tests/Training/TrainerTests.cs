using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Tests.Support;
using Llm4Sbr.Training.Fitting;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Training.Tests.Training;

public class TrainerTests(ITestOutputHelper output)
{
    private static TrainerOptions Short(int epochs) => new()
    {
        Epochs = epochs, Device = DeviceChoice.Cpu, Seed = 9, Patience = epochs, EvaluateTestEachEpoch = true,
    };

    private static TrainingOutcome Train(string model, Llm4Sbr.Training.Batching.TrainingData data, TrainerOptions options, IProgress<TrainingProgress>? progress = null) =>
        Trainer.Train(model, data, new ModelOptions(), options, progress: progress).Match(o => o, e => throw new InvalidOperationException(e.Message));

    [Fact]
    public void Srgnn_learns_on_a_slice_of_beauty_and_beats_popularity()
    {
        var slice = BeautySlice.Load(medium: true);
        var data = BeautySlice.Data(slice);
        var progress = new List<TrainingProgress>();
        var outcome = Train(ModelRegistry.SrGnnName, data, Short(3), new SynchronousProgress<TrainingProgress>(progress.Add));
        using var model = outcome.Model;
        var result = outcome.Result;
        var popularity = BeautySlice.Popularity(slice);
        foreach (var e in result.Epochs)
            output.WriteLine($"epoch {e.Epoch}: loss {e.MeanLoss:F4} lr {e.LearningRate} val P@20 {e.Validation![20].Precision:P2} test P@20 {e.Test![20].Precision:P2} MRR@20 {e.Test[20].Mrr:P2}");
        output.WriteLine($"popularity P@20 {popularity[20].Precision:P2}; selected epoch {result.SelectedEpoch}: P@20 {result.Test[20].Precision:P2}");

        Assert.True(result.Epochs[^1].MeanLoss < result.Epochs[0].MeanLoss - 0.3, "the training loss falls");
        Assert.True(result.Test[20].Precision > popularity[20].Precision + 0.01, "P@20 beats popularity");
        Assert.Equal(slice.Test.Length, result.Test.Count);
        Assert.Equal(slice.Test.Length, result.TestRanks.Length);
        Assert.Equal(result.Epochs[result.SelectedEpoch - 1].Test, result.Test);
        Assert.Contains(progress, p => p.Phase == TrainingPhase.Training && p.Batch == p.Batches);
        Assert.Equal(3, progress.Count(p => p.Phase == TrainingPhase.EpochDone));
    }

    [Fact]
    public void Same_seed_gives_identical_runs_on_cpu()
    {
        var data = BeautySlice.Data(BeautySlice.Load());
        var options = Short(2);
        var a = Train(ModelRegistry.Llm4SbrSrGnnName, WithViews(data), options);
        var b = Train(ModelRegistry.Llm4SbrSrGnnName, WithViews(data), options);
        a.Model.Dispose(); b.Model.Dispose();
        Assert.Equal(a.Result.Epochs.Select(e => e.MeanLoss), b.Result.Epochs.Select(e => e.MeanLoss));
        Assert.Equal(a.Result.TestRanks.ToArray(), b.Result.TestRanks.ToArray());
        var c = Train(ModelRegistry.Llm4SbrSrGnnName, WithViews(data), options with { Seed = 10 });
        c.Model.Dispose();
        Assert.NotEqual(a.Result.Epochs[0].MeanLoss, c.Result.Epochs[0].MeanLoss);
    }

    /// <summary>Dropout draws from torch's default generator: a fit seeds it, so whatever the process drew
    /// before (another model, another fit) does not change a fit of the same seed.</summary>
    [Theory]
    [InlineData("gru4rec")]
    [InlineData("sasrec")]
    public void Same_seed_gives_identical_runs_of_a_model_with_dropout_whatever_the_process_drew_before(string model)
    {
        var data = BeautySlice.Data(BeautySlice.Load());
        var a = Train(model, data, Short(1));
        using (torch.rand(1000)) { }
        var b = Train(model, data, Short(1));
        a.Model.Dispose(); b.Model.Dispose();
        Assert.Equal(a.Result.Epochs.Select(e => e.MeanLoss), b.Result.Epochs.Select(e => e.MeanLoss));
        Assert.Equal(a.Result.TestRanks.ToArray(), b.Result.TestRanks.ToArray());
    }

    private static Llm4Sbr.Training.Batching.TrainingData WithViews(Llm4Sbr.Training.Batching.TrainingData _) =>
        BeautySlice.Data(BeautySlice.Load(), BeautySlice.RandomViews(BeautySlice.Load(), 16, "long", "short"));

    [Fact]
    public void Llm4sbr_adds_a_finite_auxiliary_loss_and_noau_none()
    {
        var slice = BeautySlice.Load();
        var data = BeautySlice.Data(slice, BeautySlice.RandomViews(slice, 16, "long", "short"));
        var withAu = Train(ModelRegistry.Llm4SbrSrGnnName, data, Short(1));
        var noAu = Train("llm4sbr-srgnn-noau", data, Short(1));
        withAu.Model.Dispose(); noAu.Model.Dispose();
        double aux = withAu.Result.Epochs[0].MeanAuxiliaryLoss;
        Assert.True(double.IsFinite(aux) && aux != 0, $"auxiliary loss {aux}");
        Assert.Equal(0, noAu.Result.Epochs[0].MeanAuxiliaryLoss);
    }

    [Fact]
    public void Missing_views_and_unknown_models_are_errors_naming_the_options()
    {
        var data = BeautySlice.Data(BeautySlice.Load());
        var missing = Trainer.Train("llm4sbr-srgnn", data, new ModelOptions(), Short(1)).Match(_ => "", e => e.Message);
        Assert.Contains("'long'", missing);
        Assert.Contains("available views: (none)", missing);
        var unknown = Trainer.Train("gru5rec", data, new ModelOptions(), Short(1)).Match(_ => "", e => e.Message);
        Assert.Contains("unknown model 'gru5rec'; valid models: ", unknown);
        Assert.Contains(" srgnn,", unknown);
        Assert.Contains(" gru4rec,", unknown);
    }

    [Fact]
    public void An_llm2x_model_without_item_texts_is_an_error_naming_what_is_missing()
    {
        var data = BeautySlice.Data(BeautySlice.Load());
        var message = Trainer.Train("llm2srgnn", data, new ModelOptions(), Short(1)).Match(_ => "", e => e.Message);
        Assert.Equal("model 'llm2srgnn' starts its item table from the items' text embeddings, and the training data has none", message);
    }

    [Fact]
    public void No_tensor_leaks_across_epochs_or_after_disposal()
    {
        var data = BeautySlice.Data(BeautySlice.Load(), BeautySlice.RandomViews(BeautySlice.Load(), 8, "normal"));
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var outcome = Train("llm4sbr-srgnn-normal", data, Short(3));
        var live = outcome.Result.Timings.Select(e => e.LiveTensors).ToArray();
        outcome.Model.Dispose();
        Assert.All(live, n => Assert.Equal(live[0], n));
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Cancellation_stops_the_run_and_frees_the_model()
    {
        var data = BeautySlice.Data(BeautySlice.Load());
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
            Trainer.Train(ModelRegistry.SrGnnName, data, new ModelOptions(), Short(1), cancellation: cancelled.Token));
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}

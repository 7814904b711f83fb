using Llm4Sbr.Training.Checkpoints;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Tests.Support;
using Llm4Sbr.Training.Fitting;
using Xunit;

namespace Llm4Sbr.Training.Tests.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "llm4sbr-checkpoint-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void Saved_and_loaded_model_gives_identical_scores_and_recommendations()
    {
        var slice = BeautySlice.Load();
        var data = BeautySlice.Data(slice, BeautySlice.RandomViews(slice, 12, "long", "short"));
        var options = new TrainerOptions { Epochs = 1, Device = DeviceChoice.Cpu, Seed = 4 };
        var outcome = Trainer.Train(ModelRegistry.Llm4SbrSrGnnName, data, new ModelOptions(), options).Match(o => o, e => throw new Exception(e.Message));
        using var trained = outcome.Model;
        trained.Save(directory);
        using var loaded = TrainedModel.Load(directory, DeviceChoice.Cpu).Match(m => m, e => throw new Exception(e.Message));

        Assert.Equal(trained.Spec, loaded.Spec);
        Assert.Equal(trained.Vocabulary.IdsByIndex.ToArray(), loaded.Vocabulary.IdsByIndex.ToArray());
        Assert.Equal(1, loaded.SelectedEpoch);
        Assert.Equal(trained.Evaluate(data.Test).Ranks.ToArray(), loaded.Evaluate(data.Test).Ranks.ToArray());

        var session = slice.Test[3].Prefix.ToArray();
        var views = new Dictionary<string, float[]> { ["long"] = [.. Enumerable.Range(0, 12).Select(i => i / 12f)], ["short"] = new float[12] };
        var before = trained.Recommend(session, 10, views).Match(r => r, e => throw new Exception(e.Message));
        var after = loaded.Recommend(session, 10, views).Match(r => r, e => throw new Exception(e.Message));
        Assert.Equal(10, before.Length);
        Assert.Equal(before.ToArray(), after.ToArray());
        Assert.True(before.Zip(before.Skip(1)).All(p => p.Item1.Score >= p.Item2.Score), "best first");
        Assert.All(before, r => Assert.True(slice.Vocabulary.TryIndexOf(r.ItemId, out _)));
    }

    [Fact]
    public void Recommend_explains_bad_input_and_load_explains_a_missing_checkpoint()
    {
        var slice = BeautySlice.Load();
        var outcome = Trainer.Train(ModelRegistry.Llm4SbrSrGnnName, BeautySlice.Data(slice, BeautySlice.RandomViews(slice, 4, "long", "short")),
            new ModelOptions(), new TrainerOptions { Epochs = 1, Device = DeviceChoice.Cpu }).Match(o => o, e => throw new Exception(e.Message));
        using var model = outcome.Model;
        int known = slice.Vocabulary.IdAt(1);
        Assert.Contains("-5", model.Recommend([known, -5], 3).Match(_ => "", e => e.Message));
        Assert.Contains("needs the 'long' view", model.Recommend([known], 3).Match(_ => "", e => e.Message));
        var wrongDim = new Dictionary<string, float[]> { ["long"] = new float[3], ["short"] = new float[4] };
        Assert.Contains("expects 4", model.Recommend([known], 3, wrongDim).Match(_ => "", e => e.Message));
        Assert.Contains("checkpoint.json is missing", TrainedModel.Load(directory).Match(_ => "", e => e.Message));
    }

    [Fact]
    public void Weights_that_do_not_load_are_an_error_naming_the_file_not_an_exception()
    {
        var slice = BeautySlice.Load();
        var outcome = Trainer.Train(ModelRegistry.SrGnnName, BeautySlice.Data(slice),
            new ModelOptions(), new TrainerOptions { Epochs = 1, Device = DeviceChoice.Cpu }).Match(o => o, e => throw new Exception(e.Message));
        using (var model = outcome.Model) model.Save(directory);
        var weights = Path.Combine(directory, TrainedModel.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);

        var message = TrainedModel.Load(directory, DeviceChoice.Cpu).Match(_ => "loaded", e => e.Message);

        Assert.Contains(weights, message);
        Assert.Contains("cannot be read", message);
    }
}

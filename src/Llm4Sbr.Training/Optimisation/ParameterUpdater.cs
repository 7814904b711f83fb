using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Optimisation;

/// <summary>Adam with an L2 penalty added to the gradient (the semantics of torch.optim.Adam's
/// <c>weight_decay</c>, which the reference uses), behind one small interface so the trainer can use a
/// fused CPU implementation or torch's. The learning rate is set by the caller per epoch.</summary>
public interface IParameterUpdater : IDisposable
{
    double LearningRate { get; set; }
    /// <summary>Clears gradients (to none, so backward writes fresh buffers instead of adding into zeros).</summary>
    void ZeroGrad();
    void Step();
}

/// <summary>An updater whose state (steps taken, moments) can be taken and put back, so that a run
/// resumed from an epoch checkpoint updates exactly as the uninterrupted run would have.</summary>
public interface IResumableUpdater : IParameterUpdater
{
    /// <summary>A copy of the state.</summary>
    UpdaterState Capture();
    /// <summary>Puts back a state taken from an updater of the same parameters.</summary>
    void Restore(UpdaterState state);
}

/// <summary>Adam's state: the steps taken and, per parameter in the module's order, both moments.</summary>
public sealed record UpdaterState(long Steps, float[][] FirstMoments, float[][] SecondMoments);

public sealed record AdamSettings(double LearningRate = 1e-3, double WeightDecay = 1e-5, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8);

public static class ParameterUpdaters
{
    /// <summary>The fused CPU Adam when the parameters live on the CPU and <paramref name="preferFused"/>,
    /// else torch's Adam.</summary>
    public static IParameterUpdater Adam(nn.Module model, AdamSettings settings, Device device, bool preferFused, int threads) =>
        preferFused && device.type == DeviceType.CPU
            ? new FusedCpuAdam(model, settings, threads)
            : new TorchAdam(model, settings);
}

/// <summary>torch.optim.Adam (any device).</summary>
public sealed class TorchAdam(nn.Module model, AdamSettings settings) : IParameterUpdater
{
    private readonly TorchSharp.Modules.Adam adam = optim.Adam(model.parameters(), settings.LearningRate, settings.Beta1, settings.Beta2,
        settings.Epsilon, settings.WeightDecay);

    public double LearningRate
    {
        get => adam.ParamGroups.First().LearningRate;
        set { foreach (var g in adam.ParamGroups) g.LearningRate = value; }
    }

    public void ZeroGrad() => model.zero_grad(set_to_none: true);
    public void Step() => adam.step();
    public void Dispose() => adam.Dispose();
}

namespace Llm4Sbr.Training.Fitting;

/// <summary>What one of the process-wide native settings that <see cref="TorchRuntime.Prepare"/> applies
/// did (<see cref="MklAmdDispatch"/>, <see cref="NativeAllocatorTuning"/>).</summary>
public enum NativeSettingOutcome
{
    /// <summary>The setting is in effect.</summary>
    Applied,
    /// <summary>Not needed or not possible here (another platform or processor, the library lacks the
    /// hook, or the user's own settings stand).</summary>
    NotApplicable,
    /// <summary>Turned off by the user with the setting's switch variable (= 0).</summary>
    Disabled,
    /// <summary>It applies here but could not be made (a refused call, unexpected code); the runtime keeps
    /// its default and work goes on (worth a warning).</summary>
    Failed,
}

/// <summary>The outcome and a sentence for the log.</summary>
public sealed record NativeSettingResult(NativeSettingOutcome Outcome, string Detail);

using System.Collections.Immutable;
using System.Globalization;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Training.Fitting;

namespace Llm4Sbr.Stages.Modeling.Train;

/// <summary>The names under which the <c>train</c> stage records its wall times (seconds on the machine
/// that computed the entry) and live tensor counts: <c>MODEL[/seed=S]/NAME</c>. They go to the cache
/// entry's manifest, the run's manifests and <c>timings.md</c>, never into the stage's output.</summary>
public static class TrainMeasurements
{
    public const string FitSeconds = "fit_seconds";
    public const string SecondsPerEpoch = "seconds_per_epoch";
    public const string EvaluationSeconds = "eval_seconds";
    public const string LiveTensorGrowth = "live_tensor_growth";
    /// <summary>1 when the run reused a fit stored by an earlier run (its other measurements are that run's).</summary>
    public const string ReusedFit = "reused_fit";

    /// <summary>A neural run: all epochs' training seconds, their mean, the mean per-epoch evaluation
    /// (validation + test) and the live tensors gained between the first and the last epoch (0 when nothing leaks).</summary>
    public static void Neural(StageMeasurements sink, string model, long seed, ImmutableArray<EpochTiming> epochs)
    {
        if (epochs.IsDefaultOrEmpty) return;
        var prefix = $"{model}/seed={seed.ToString(CultureInfo.InvariantCulture)}/";
        sink.Record(prefix + FitSeconds, epochs.Sum(e => e.TrainSeconds));
        sink.Record(prefix + SecondsPerEpoch, epochs.Average(e => e.TrainSeconds));
        sink.Record(prefix + EvaluationSeconds, epochs.Average(e => e.EvaluationSeconds));
        sink.Record(prefix + LiveTensorGrowth, epochs[^1].LiveTensors - epochs[0].LiveTensors);
    }

    /// <summary>A neural run whose fit was reused from an earlier run of the stage.</summary>
    public static void Reused(StageMeasurements sink, string model, long seed) =>
        sink.Record($"{model}/seed={seed.ToString(CultureInfo.InvariantCulture)}/{ReusedFit}", 1);

    /// <summary>A model without epochs (a baseline's fit, <c>llm-infer</c>): fit and test-evaluation seconds.</summary>
    public static void Fitted(StageMeasurements sink, string model, double fitSeconds, double evaluationSeconds)
    {
        sink.Record($"{model}/{FitSeconds}", fitSeconds);
        sink.Record($"{model}/{EvaluationSeconds}", evaluationSeconds);
    }

    /// <summary>The mean of <paramref name="name"/> over a model's runs in <paramref name="measurements"/>; NaN when none.</summary>
    public static double Mean(ImmutableSortedDictionary<string, double> measurements, string model, string name)
    {
        var values = measurements.Where(m => Names(m.Key, model, name)).Select(m => m.Value).ToArray();
        return values.Length == 0 ? double.NaN : values.Average();
    }

    /// <summary>True for <c>MODEL/NAME</c> and <c>MODEL/seed=S/NAME</c>.</summary>
    static bool Names(string key, string model, string name)
    {
        if (!key.StartsWith(model + "/", StringComparison.Ordinal)) return false;
        var rest = key[(model.Length + 1)..];
        return rest == name
            || (rest.StartsWith("seed=", StringComparison.Ordinal) && rest.EndsWith("/" + name, StringComparison.Ordinal) && rest.Count(c => c == '/') == 1);
    }
}

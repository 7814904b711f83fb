using LanguageExt.Common;

namespace Llm4Sbr.Stages.Modeling;

/// <summary>The one place for the modeling stages' error codes and messages (5xxx). Configuration
/// errors use the engine's codes (<see cref="Engine.Errors.EngineErrors"/>) so they read like every
/// other pipeline-file error.</summary>
public static class ModelingErrors
{
    public const int MissingViewsCode = 5001;
    public const int InconsistentInputsCode = 5002;
    public const int TrainingFailedCode = 5003;
    public const int NotARunCode = 5101;
    public const int UnknownRunModelCode = 5102;
    public const int RecommendInputCode = 5103;

    public static Error MissingViews(string model, IEnumerable<string> needed, string detail) =>
        Error.New(MissingViewsCode, $"model '{model}' needs the view embeddings {string.Join(", ", needed)}: {detail}");

    public static Error Inconsistent(string message) => Error.New(InconsistentInputsCode, message);

    public static Error TrainingFailed(string model, long? seed, string reason) =>
        Error.New(TrainingFailedCode, $"model '{model}'{(seed is { } s ? $" (seed {s})" : "")}: {reason}");

    public static Error NotARun(string path, string reason) =>
        Error.New(NotARunCode, $"'{path}' holds no trained models: {reason}");

    /// <summary>A file of a run's stage folder that is not what the stage wrote (edited, damaged, truncated).
    /// The remedy is a plain run into the same folder: it publishes the stage again from its cache entry
    /// (seconds), and recomputes it only where that entry is damaged too; <c>--force</c> would retrain.</summary>
    public static Error DamagedRun(string folder, string file, string reason, string stage, string pipeline) =>
        Error.New(NotARunCode, $"{Path.Combine(folder, file)} {reason}: the file changed after the {stage} stage wrote it, "
            + $"so it is not used; to recover, run the pipeline into that folder again, which copies the {stage} stage back "
            + $"from the cache (and recomputes it only if its cache entry is damaged too): "
            + $"llm4sbr run {pipeline} --out {Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(folder))}");

    public static Error UnknownRunModel(string model, IEnumerable<string> available) =>
        Error.New(UnknownRunModelCode, $"model '{model}' was not trained in this run; trained models: {string.Join(", ", available)}");

    public static Error RecommendInput(string message) => Error.New(RecommendInputCode, message);
}

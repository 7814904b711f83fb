using System.Text.Json;
using System.Text.Json.Nodes;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Intent.Titles;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Recommend;

/// <summary>What a finished run's folder holds of its intent stages, for <c>recommend</c>: the
/// title embeddings, and a check that a pipeline's intent settings are the run's (each published
/// stage folder keeps its config in <c>manifest.json</c>), so a new session's views are made the way
/// the model's training views were.</summary>
public static class RunIntent
{
    /// <summary>The run folder of <paramref name="path"/>: the folder itself, or the parent of its
    /// <c>train/</c> folder.</summary>
    public static string RunRoot(string path)
    {
        var full = Path.GetFullPath(path);
        return File.Exists(Path.Combine(full, "runs.parquet")) ? Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar))! : full;
    }

    /// <summary>The pipeline name the run recorded in <c>run.json</c>, if any.</summary>
    public static string? PipelineName(string runRoot)
    {
        var file = Path.Combine(runRoot, "run.json");
        if (!File.Exists(file)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(file))?["pipeline"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    public static async Task<Fin<TitleEmbeddings>> ReadTitlesAsync(string runRoot, PipelineDefinition pipeline, CancellationToken ct)
    {
        foreach (var stage in SessionViewSetup.Stages)
        {
            var manifest = Path.Combine(runRoot, stage, "manifest.json");
            if (!File.Exists(manifest))
                return ModelingErrors.NotARun(runRoot, $"it has no {stage}/manifest.json: run the pipeline through localize (llm4sbr run PIPELINE) before recommending with view models");
            JsonNode? recorded;
            try
            {
                recorded = JsonNode.Parse(await File.ReadAllTextAsync(manifest, ct).ConfigureAwait(false))?["config"];
            }
            catch (JsonException e)
            {
                return ModelingErrors.NotARun(runRoot, $"{stage}/manifest.json is not JSON ({e.Message})");
            }
            var current = pipeline.Find(stage)?.CanonicalConfig is { } c ? JsonNode.Parse(c) : null;
            if (!JsonNode.DeepEquals(recorded, current))
                return ModelingErrors.RecommendInput(
                    $"the {stage} settings of pipeline {pipeline.Name} ({current?.ToJsonString() ?? "none"}) differ from the run's ({recorded?.ToJsonString() ?? "none"}): "
                    + "the new session's views would not be made like the training views; use the run's pipeline settings, or rerun it");
        }
        return await ReadTitleFolderAsync(runRoot, pipeline.Name, ct).ConfigureAwait(false);
    }

    /// <summary>The run's <c>titles/</c> folder, every file checked against its manifest first.</summary>
    public static async Task<Fin<TitleEmbeddings>> ReadTitleFolderAsync(string runRoot, string pipelineName, CancellationToken ct)
    {
        var titles = Path.Combine(runRoot, TitlesStage.Name);
        if (!File.Exists(Path.Combine(titles, "manifest.json")))
            return ModelingErrors.NotARun(runRoot, $"it has no {TitlesStage.Name}/manifest.json: run the pipeline (llm4sbr run PIPELINE) so that its titles are published");
        if (await ManifestFiles.CheckFolderAsync(titles, ct).ConfigureAwait(false) is { } damaged)
            return ModelingErrors.DamagedRun(titles, damaged.Name, damaged.Reason, TitlesStage.Name, PipelineName(runRoot) ?? pipelineName);
        var read = await TitleEmbeddingsCodec.Instance.ReadAsync(titles, ct).ConfigureAwait(false);
        return read.Match(FinSucc, e => FinFail<TitleEmbeddings>(ModelingErrors.NotARun(runRoot, $"its titles cannot be read: {e.Message}")));
    }
}

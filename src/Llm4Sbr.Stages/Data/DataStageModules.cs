using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Pipelines;

namespace Llm4Sbr.Stages.Data;

/// <summary>The data stages of every pipeline: <c>load → sessions → split → samples</c>.</summary>
public static class DataStageModules
{
    public static IEnumerable<IStageModule> All(IDatasetSource source) =>
        [new LoadStage(source), new SessionsStage(), new SplitStage(), new SamplesStage()];

    public static StageCatalog Catalog(IDatasetSource? source = null) => new(All(source ?? FileDatasetSource.Instance));

    /// <summary>The dataset's display name (<c>dataset.name</c>).</summary>
    public static string DatasetName(PipelineDefinition pipeline) =>
        pipeline.Find(LoadStage.Name)?.Config is LoadConfig c ? c.Name : pipeline.Name;

    /// <summary>The figures of a prepared dataset, from a run that reached <c>samples</c>.</summary>
    public static async Task<Fin<(DatasetSummary Summary, Core.Loading.LoadReport Load)>> SummarizeAsync(
        RunResult run, PipelineDefinition pipeline, CancellationToken ct)
    {
        var split = await run.OutputAsync<SplitSet>(SplitStage.Name, ct).ConfigureAwait(false);
        var samples = await run.OutputAsync<SampleSet>(SamplesStage.Name, ct).ConfigureAwait(false);
        var loaded = await run.OutputAsync<Core.Loading.LoadedData>(LoadStage.Name, ct).ConfigureAwait(false);
        return
            from sp in split
            from sa in samples
            from l in loaded
            select (DatasetSummaries.Summarize(DatasetName(pipeline), sp, sa), l.Report);
    }
}

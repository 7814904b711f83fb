using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Tests.Intent.Support;

namespace Llm4Sbr.Stages.Tests;

/// <summary>The bundled pipeline files, read with the product catalogue (every stage's sections).</summary>
public sealed class BundledPipelineTests
{
    static PipelineDefinition Load(string path) =>
        PipelineLoader.LoadFile(PipelineSource.ForFile(path), ProductCatalog.Create())
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));

    [Fact]
    public async Task Movielens_small_follows_the_paper_protocol_and_its_files_are_in_the_repository()
    {
        var pipeline = Load(RepoPaths.Pipeline("movielens-small"));
        Assert.Equal("movielens-small", pipeline.Name);
        Assert.Equal(DatasetFormat.MovieLensCsv, ((LoadConfig)pipeline.Find("load")!.Config).Format);
        Assert.Equal(new SessionizeOptions(SessionGrouping.KeyAndTimeBucket, 600, 5, 2), pipeline.Find("sessions")!.Config);
        Assert.Equal(new SplitOptions(0.9), pipeline.Find("split")!.Config);
        Assert.Equal(new SamplingOptions(SamplingMode.LastItem), pipeline.Find("samples")!.Config);
        var plan = await PipelinePlanner.PlanAsync(pipeline, new PlanOptions(), new FileFingerprints(), CancellationToken.None);
        string[] every = ["batches", "embed", "evaluate", "graphs", "infer", "load", "localize", "prompts", "report", "samples", "session-graphs", "sessions", "split", "titles", "train", "training-part"];
        Assert.Equal(every, plan.Value().Stages.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Only_stages_that_compute_from_their_inputs_alone_are_built_pure_and_the_others_declare_their_effects()
    {
        var pipeline = Load(RepoPaths.Pipeline("movielens-small"));
        StageEffects Of(string stage) => pipeline.Find(stage)!.Effects;

        string[] pure = ["batches", "evaluate", "graphs", "localize", "prompts", "report", "samples", "sessions", "split", "training-part"];
        Assert.All(pure, s => Assert.Equal(StageEffects.None, Of(s)));
        Assert.Equal(StageEffects.ReadsFiles, Of("load"));
        Assert.Equal(StageEffects.ReadsFiles | StageEffects.WritesFiles | StageEffects.RunsModels, Of("titles"));
        Assert.Equal(StageEffects.ReadsFiles | StageEffects.WritesFiles | StageEffects.RunsModels, Of("embed"));
        Assert.Equal(StageEffects.Network | StageEffects.ReadsClock | StageEffects.ReadsFiles | StageEffects.WritesFiles, Of("infer"));
        Assert.Equal(StageEffects.ReadsClock | StageEffects.WritesFiles | StageEffects.RunsModels | StageEffects.ProcessState, Of("train"));
    }

    [Fact]
    public async Task Amazon_beauty_follows_the_paper_protocol_and_its_files_are_in_the_repository()
    {
        var pipeline = Load(RepoPaths.Pipeline("amazon-beauty"));
        Assert.Equal(DatasetFormat.AmazonSessions, ((LoadConfig)pipeline.Find("load")!.Config).Format);
        Assert.Equal(new SessionizeOptions(SessionGrouping.Key, 0, 1, 2), pipeline.Find("sessions")!.Config);
        Assert.Equal(new SamplingOptions(SamplingMode.AllPrefixes), pipeline.Find("samples")!.Config);
        Assert.True((await PipelinePlanner.PlanAsync(pipeline, new PlanOptions(), new FileFingerprints(), CancellationToken.None)).IsSucc);
    }

    [Fact]
    public async Task Movielens_1m_without_its_files_says_where_to_get_them_and_where_to_put_them()
    {
        // a root without data/ml-1m, whatever this machine has
        var root = Directory.CreateTempSubdirectory("llm4sbr-ml1m-");
        try
        {
        Directory.CreateDirectory(Path.Combine(root.FullName, "pipelines"));
        var copy = Path.Combine(root.FullName, "pipelines", "movielens-1m.yaml");
        File.Copy(RepoPaths.Pipeline("movielens-1m"), copy);
        var pipeline = Load(copy);

        var plan = await PipelinePlanner.PlanAsync(pipeline, new PlanOptions(), new FileFingerprints(), CancellationToken.None);

        var error = plan.Match(_ => throw new InvalidOperationException("expected a failure"), e => e);
        Assert.Contains("pipelines/movielens-1m.yaml: dataset.interactions: file not found: data/ml-1m/ratings.dat. "
            + "Get the dataset from https://grouplens.org/datasets/movielens/1m/ and put ratings.dat and movies.dat in data/ml-1m/", error.Message);
        Assert.Contains("dataset.items: file not found: data/ml-1m/movies.dat", error.Message);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

}

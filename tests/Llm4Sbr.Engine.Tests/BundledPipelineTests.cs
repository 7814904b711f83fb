using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.DataStages;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Tests.Support;

namespace Llm4Sbr.Engine.Tests;

public sealed class BundledPipelineTests
{
    static PipelineDefinition Load(string path) =>
        PipelineLoader.LoadFile(PipelineSource.ForFile(path), DataStageModules.Catalog())
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
        Assert.Equal(["load", "sessions", "split", "samples"], plan.Value().Stages.Select(s => s.Name));
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
        using var ws = new Workspace(); // a root without data/ml-1m, whatever this machine has
        var copy = ws.WritePipeline(File.ReadAllText(RepoPaths.Pipeline("movielens-1m")), "movielens-1m");
        var pipeline = Load(copy.Path);

        var plan = await PipelinePlanner.PlanAsync(pipeline, new PlanOptions(), new FileFingerprints(), CancellationToken.None);

        var error = plan.ErrorOf();
        Assert.Contains("pipelines/movielens-1m.yaml: dataset.interactions: file not found: data/ml-1m/ratings.dat. "
            + "Get the dataset from https://grouplens.org/datasets/movielens/1m/ and put ratings.dat and movies.dat in data/ml-1m/", error.Message);
        Assert.Contains("dataset.items: file not found: data/ml-1m/movies.dat", error.Message);
    }

    [Fact]
    public void Bare_names_resolve_in_the_pipelines_folder_and_unknown_ones_list_what_exists()
    {
        var found = PipelineLocator.Resolve("amazon-beauty", Path.Combine(RepoPaths.Root, "src")).Value();
        Assert.Equal(RepoPaths.Pipeline("amazon-beauty"), found.Path);
        Assert.Equal(RepoPaths.Root, found.RepoRoot);
        Assert.Equal("pipelines/amazon-beauty.yaml", found.DisplayPath);

        var missing = PipelineLocator.Resolve("amazon-beuty", RepoPaths.Root).ErrorOf();
        Assert.Equal(EngineErrors.PipelineNotFoundCode, missing.Code);
        Assert.Contains("available pipelines: amazon-beauty, movielens-1m, movielens-small", missing.Message);
    }
}

using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Tests.Support;

namespace Llm4Sbr.Engine.Tests;

public sealed class BundledPipelineTests
{
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

using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages;
using Llm4Sbr.Stages.Intent;

namespace Llm4Sbr.Cli;

/// <summary>The CLI's stage graph: the product catalogue with the real file system wired in, and
/// the intent stages' caches under the same root as the memo store (<c>--cache</c>, else
/// <c>LLM4SBR_CACHE</c>, else <c>.cache/</c> in the repository).</summary>
public static class StageCatalogs
{
    public static StageCatalog Product() => ProductCatalog.Create(FileDatasetSource.Instance);

    public static StageCatalog Product(CliHost host, string? cache) =>
        ProductCatalog.Create(FileDatasetSource.Instance, IntentServices.Default with
        {
            CacheRoot = cache is null ? null : Path.GetFullPath(Path.IsPathRooted(cache) ? cache : Path.Combine(host.WorkingDirectory, cache)),
            Environment = host.GetEnvironmentVariable,
        });
}

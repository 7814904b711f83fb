using Llm4Sbr.Engine.DataStages;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages;

namespace Llm4Sbr.Cli;

/// <summary>The CLI's stage graph: the product catalogue with the real file system wired in.</summary>
public static class StageCatalogs
{
    public static StageCatalog Product() => ProductCatalog.Create(FileDatasetSource.Instance);
}

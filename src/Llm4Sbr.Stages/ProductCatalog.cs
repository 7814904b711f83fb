using Llm4Sbr.Engine.DataStages;
using Llm4Sbr.Engine.Pipelines;

namespace Llm4Sbr.Stages;

/// <summary>Every stage the product knows, in graph order. The CLI and the host build pipelines
/// from this catalogue; each group of stages is one line here.</summary>
public static class ProductCatalog
{
    public static StageCatalog Create(IDatasetSource? datasets = null) =>
        DataStageModules.Catalog(datasets);
}

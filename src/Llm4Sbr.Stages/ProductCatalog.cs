using Llm4Sbr.Engine.DataStages;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Intent;

namespace Llm4Sbr.Stages;

/// <summary>Every stage the product knows, in graph order. The CLI and the host build pipelines
/// from this catalogue; each group of stages is one line here.</summary>
public static class ProductCatalog
{
    /// <param name="intent">Effects of the intent stages (cache root, environment, encoder); default
    /// <see cref="IntentServices.Default"/>.</param>
    public static StageCatalog Create(IDatasetSource? datasets = null, IntentServices? intent = null) =>
        DataStageModules.Catalog(datasets)
            .With(IntentStageModules.All(intent));
}

using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Intent;
using Llm4Sbr.Stages.Modeling;
using Llm4Sbr.Stages.Modeling.Train;

namespace Llm4Sbr.Stages;

/// <summary>Every stage the product knows, in graph order. The CLI and the host build pipelines
/// from this catalogue; each group of stages is one line here.</summary>
public static class ProductCatalog
{
    /// <param name="intent">Effects of the intent stages (cache root, environment, encoder); default
    /// <see cref="IntentServices.Default"/>.</param>
    /// <param name="modeling">Command-line overrides of the modeling stages (models, seeds).</param>
    public static StageCatalog Create(IDatasetSource? datasets = null, IntentServices? intent = null, ModelingOverrides? modeling = null)
    {
        var upstream = DataStageModules.Catalog(datasets).With(IntentStageModules.All(intent, sections => TrainStage.ListedViews(sections, modeling)));
        return upstream.With(ModelingStageModules.All(ModelingStageModules.ViewsStageIn(upstream), modeling, ModelingStageModules.ItemTextsStageIn(upstream)));
    }
}

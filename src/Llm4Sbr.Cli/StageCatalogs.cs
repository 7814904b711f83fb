using Llm4Sbr.Engine.DataStages;
using Llm4Sbr.Engine.Pipelines;

namespace Llm4Sbr.Cli;

/// <summary>The composition root of the stage graph: every stage module the product knows, with
/// its effects wired in. A new stage is one module plus one line here; the engine is unchanged.</summary>
public static class StageCatalogs
{
    public static StageCatalog Product() => new([
        .. DataStageModules.All(FileDatasetSource.Instance),
        // later: prompts, infer, embed, localize (intent inference); batches, train, evaluate, report.
    ]);
}

using System.Collections.Immutable;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Intent.Embed;
using Llm4Sbr.Stages.Intent.Infer;
using Llm4Sbr.Stages.Intent.Localize;
using Llm4Sbr.Stages.Intent.Prompts;
using Llm4Sbr.Stages.Intent.Titles;

namespace Llm4Sbr.Stages.Intent;

/// <summary>Stage 1 of LLM4SBR, intent inference, as engine stages:
/// <code>
/// load ──► sessions ──► split ──► samples ──► prompts ──► infer ──► embed ──► localize ──► training
///  │          │                                  ▲          ▲         ▲          ▲
///  ├──────────┼──────────────────────────────────┘          │         │          │
///  └──────────┴──► titles ──────────────────────────────────┴─────────┴──────────┘
/// </code>
/// <c>titles</c> (section <c>encoder</c>), <c>prompts</c> (section <c>prompts</c>), <c>infer</c>
/// (section <c>llm</c>), <c>embed</c> (reads <c>encoder</c>), <c>localize</c> (section <c>localize</c>).
/// <c>localize</c>'s output (<see cref="ViewEmbeddings"/>) is what training reads.</summary>
public static class IntentStageModules
{
    /// <param name="requiredViews">The views the listed models read, added to the prompts' views (see <see cref="PromptsStage"/>).</param>
    public static IStageModule[] All(IntentServices? services = null, Func<PipelineSections, ImmutableArray<string>>? requiredViews = null)
    {
        var s = services ?? IntentServices.Default;
        return [new TitlesStage(s), new PromptsStage(requiredViews), new InferStage(s), new EmbedStage(s), new LocalizeStage()];
    }
}

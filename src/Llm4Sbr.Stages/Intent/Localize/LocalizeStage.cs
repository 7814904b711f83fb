using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Localization;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Intent.Embed;
using Llm4Sbr.Stages.Intent.Titles;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;
using EngineStage = Llm4Sbr.Engine.Stages.Stage;

namespace Llm4Sbr.Stages.Intent.Localize;

/// <summary>Configuration of <c>localize</c>: <see cref="K"/> top items per answer.</summary>
public sealed record LocalizeConfig(int K);

/// <summary>The <c>localize</c> stage (paper Eq. 4-5): each distinct answer embedding is compared by
/// cosine similarity with every titled item's title embedding, and replaced by the
/// similarity-weighted sum of its top-k items' embeddings; the top-k ids and similarities are kept.
/// Vectorised (blocked SIMD matrix product and top-k selection, see <see cref="IntentLocalization"/>).
/// <code>
/// localize:
///   k: 3                           # 0..5 in the paper; 0 keeps the raw answer embedding (default 3)
/// </code></summary>
public sealed class LocalizeStage : IStageModule
{
    public const string Name = "localize";
    public const string Version = "localize-1+" + IntentLocalization.Version;
    public const int DefaultK = 3;
    public const int MaxK = 100;
    public static readonly StageInput<ViewEmbeddings> Output = new(Name);

    public string Stage => Name;
    public ImmutableArray<string> Sections => [Name];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        sections[Name].Read(r => new LocalizeConfig(r.Int("k", DefaultK, min: 0, max: MaxK)))
            .Map(config => (IStage)EngineStage.Pure(Name, Version, config, ViewEmbeddingsCodec.Instance,
                [EmbedStage.Output, TitlesStage.Output],
                (c, inputs, ctx) => Run(c, inputs.Get(EmbedStage.Output), inputs.Get(TitlesStage.Output), ctx)));

    public static Fin<ViewEmbeddings> Run(LocalizeConfig config, AnswerEmbeddings answers, TitleEmbeddings titles, StageContext ctx)
    {
        if (answers.ModelId != titles.ModelId)
            return FinFail<ViewEmbeddings>(Error.New(
                $"answers were embedded with {answers.ModelId}, titles with {titles.ModelId}; localization needs one encoder for both"));
        var (itemIds, candidates) = titles.Titled();
        var total = answers.Vectors.Rows;
        ctx.Progress.Report(new StageProgress(0, total, $"top-{config.K} over {candidates.Rows} titled items"));
        return IntentLocalization.Localize(answers.Vectors, candidates, new LocalizationOptions(config.K),
                new CountProgress(ctx.Progress, total, $"top-{config.K} over {candidates.Rows} titled items"), ctx.CancellationToken)
            .Bind(localized =>
            {
                ctx.Logger.LogInformation("localize: {Vectors} distinct answers localized onto their top {K} of {Items} titled items", total, config.K, candidates.Rows);
                ImmutableArray<int> topIds = [.. localized.TopItemIndices.Select(i => itemIds[i])];
                return ViewEmbeddings.FromRows(answers.ModelId, config.K, answers.Views, localized.Embeddings,
                    topIds, ImmutableArray.Create(localized.TopSimilarities), answers.Rows);
            });
    }
}

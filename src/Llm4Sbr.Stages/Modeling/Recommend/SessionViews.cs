using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Answers;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Localization;
using Llm4Sbr.Core.Prompts;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Inference.Llm;
using Llm4Sbr.Stages.Intent;
using Llm4Sbr.Stages.Intent.Infer;
using Llm4Sbr.Stages.Intent.Localize;
using Llm4Sbr.Stages.Intent.Prompts;
using Llm4Sbr.Stages.Intent.Titles;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Recommend;

/// <summary>An item an answer was pulled onto, with the cosine of its title to the answer.</summary>
public sealed record PulledItem(int ItemId, string Title, float Similarity);

/// <summary>One view of a new session, as the intent stages would have made it: the prompt, the
/// engine's answer (<see cref="FellBackToOffline"/> when the LLM's was unusable), the titled items
/// localization pulled it onto with their similarities, and the vector the model reads.</summary>
public sealed record SessionView(
    string View, string Prompt, string Answer, string AnswerEngine, bool FellBackToOffline,
    ImmutableArray<PulledItem> PulledOnto, float[] Vector);

/// <summary>The intent settings of a pipeline: prompts, engine, encoder and localization.</summary>
public sealed record SessionViewSetup(PromptsConfig Prompts, LlmSetup Llm, EncoderSetup Encoder, LocalizeConfig Localize, PipelineContext Context)
{
    /// <summary>The stages whose settings decide the views: a run's must equal the pipeline's.</summary>
    public static readonly ImmutableArray<string> Stages = [PromptsStage.Name, InferStage.Name, TitlesStage.Name, LocalizeStage.Name];

    public static Validation<Error, SessionViewSetup> Read(PipelineDefinition pipeline)
    {
        if (pipeline.Sections is not { } sections || pipeline.Context is not { } context)
            return Fail<Error, SessionViewSetup>(Error.New($"pipeline {pipeline.Name} was not read from a file"));
        var localize = pipeline.Find(LocalizeStage.Name)?.Config as LocalizeConfig;
        if (localize is null)
            return Fail<Error, SessionViewSetup>(Error.New($"pipeline {pipeline.Name} has no {LocalizeStage.Name} stage"));
        return (PromptsSection.Read(sections[PromptsSection.Name]), LlmSection.Read(sections[LlmSection.Name]),
                EncoderSection.Read(sections[EncoderSection.Name], context))
            .Apply((prompts, llm, encoder) => new SessionViewSetup(prompts, llm, encoder, localize, context));
    }
}

/// <summary>Makes a new session's views the way the intent stages make a sample's: the prompt of
/// each view (same template and cut), the configured engine's answer (through the response cache;
/// the offline engine by default), the answer embedded by the encoder the titles were embedded with
/// (through the embedding cache) and localized onto the titled items with the pipeline's k.
/// Effects: the engine's requests and the caches, under <paramref name="services"/>' cache root.</summary>
public static class SessionViews
{
    public static async Task<Fin<ImmutableArray<SessionView>>> ComputeAsync(
        IReadOnlyList<int> itemIds, IReadOnlyCollection<string> views, TitleEmbeddings titles, SessionViewSetup setup,
        IntentServices services, ILogger logger, CancellationToken ct)
    {
        var specs = views.Select(v => setup.Prompts.Views.FirstOrDefault(s => s.Name == v)).ToList();
        if (specs.Any(s => s is null))
            return ModelingErrors.RecommendInput($"the model needs the views {string.Join(", ", views)}, the pipeline's prompts have {string.Join(", ", setup.Prompts.Views.Select(s => s.Name))}");
        var items = titles.Items.ToDictionary(i => i.Id);
        var sample = new Sample(0, 0, SplitPart.Test, [.. itemIds], 0);
        var prompts = specs.Select(spec => PromptBuilder.Build(sample, items, spec!, setup.Prompts.Options)).ToList().Sequence().Map(p => p.ToList());
        if (prompts.Case is Error unbuilt) return unbuilt;
        var records = (List<PromptRecord>)prompts.Case;
        var answers = await AnswerAsync(records, titles, setup, services, logger, ct).ConfigureAwait(false);
        var (candidateIds, candidates) = titles.Titled();
        return from answered in answers
               from embedded in EmbedAnswers(answered, titles, setup, services, logger)
               from localized in IntentLocalization.Localize(embedded, candidates, new LocalizationOptions(setup.Localize.K), null, ct)
               select answered.Select((answer, row) => new SessionView(
                   answer.View, records[row].Text, answer.Text, answer.TextEngine, answer.FellBackToOffline,
                   [.. Enumerable.Range(0, localized.K).Select(j => candidateIds[localized.TopItems(row)[j]])
                       .Select((id, j) => new PulledItem(id, items[id].Title, localized.TopScores(row)[j]))],
                   localized.Embeddings.Row(row).ToArray())).ToImmutableArray();
    }

    static async Task<Fin<ImmutableArray<Answer>>> AnswerAsync(List<PromptRecord> prompts, TitleEmbeddings titles, SessionViewSetup setup,
        IntentServices services, ILogger logger, CancellationToken ct)
    {
        using var loggers = new OneLoggerFactory(logger);
        var created = from offlineTitles in titles.ForOfflineEngine()
                      from createdEngine in IntentEngines.Create(setup.Llm.Settings, new OfflineIntentEngine(offlineTitles, setup.Prompts.Views),
                              services.LlmCache(setup.Context), services.Environment, loggers, services.Time)
                          .BiMap(Succ: e => e, Fail: error => Error.New($"llm: {error.Message}"))
                      select createdEngine;
        if (created.Case is Error unavailable) return unavailable;
        await using var engine = (IIntentEngine)created.Case;
        var outcome = await engine.AnswerAsync(prompts, null, ct).ConfigureAwait(false);
        return outcome switch
        {
            InferenceCompleted done => FinSucc(done.Answers),
            InferenceFailed fail => FinFail<ImmutableArray<Answer>>(Error.New(fail.Failure.Message)),
            _ => throw new InvalidOperationException($"unknown inference outcome {outcome.GetType().Name}"),
        };
    }

    static Fin<EmbeddingMatrix> EmbedAnswers(ImmutableArray<Answer> answers, TitleEmbeddings titles, SessionViewSetup setup, IntentServices services, ILogger logger) =>
        Encoders.OpenCaching(services, setup.Encoder.Options, services.EmbeddingCache(setup.Context), logger).Bind(encoder =>
        {
            using (encoder)
            {
                if (encoder.ModelId != titles.ModelId)
                    return FinFail<EmbeddingMatrix>(ModelingErrors.RecommendInput(
                        $"the pipeline's encoder is {encoder.ModelId}, the run's titles were embedded with {titles.ModelId}; use the run's encoder settings"));
                return FinSucc(encoder.Encode([.. answers.Select(a => a.Text)]));
            }
        });
}

using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Inference.Llm;
using Llm4Sbr.Stages.Intent.Prompts;
using Llm4Sbr.Stages.Intent.Titles;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;
using EngineStage = Llm4Sbr.Engine.Stages.Stage;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Stages.Intent.Infer;

/// <summary>The <c>infer</c> stage: asks the configured engine (section <c>llm</c>, see
/// <see cref="LlmSection"/>) for every prompt. Inputs: <c>prompts</c>, and <c>titles</c> for the
/// offline engine (the answer itself, or the fallback for empty and unusable replies).
/// <para>The LLM engines keep every reply in the response cache (<c>CACHE/llm/</c>, key: engine,
/// model, sampling options, prompt hash; persisted in batches, atomically): identical prompts are
/// sent once, a rerun whose memo key changed (new samples, another view) sends only prompts never
/// answered, and a run that failed or was interrupted resumes where it stopped. At most
/// <c>max_concurrency</c> requests are in flight over all endpoints. A prompt whose retries ran out is
/// asked again in a later pass (<c>passes</c>) while the rest proceeds; the stage fails only when prompts
/// are still unanswered at the end (a failure retrying cannot fix stops it sooner), saying how many;
/// every reply received stays in the cache.</para></summary>
public sealed class InferStage(IntentServices services) : IStageModule
{
    public const string Name = "infer";
    public const string Version = "infer-1";
    public static readonly StageInput<AnswerSet> Output = new(Name);

    public string Stage => Name;
    public ImmutableArray<string> Sections => [LlmSection.Name];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        LlmSection.Read(sections[LlmSection.Name]).Map(setup =>
        {
            var cache = services.LlmCache(context);
            return (IStage)EngineStage.Async(Name, Version, StageEffects.Network | StageEffects.ReadsClock | StageEffects.ReadsFiles | StageEffects.WritesFiles, setup.Config, AnswerSetCodec.Instance, [PromptsStage.Output, TitlesStage.Output],
                (_, inputs, ctx) => RunAsync(setup, cache, inputs.Get(PromptsStage.Output), inputs.Get(TitlesStage.Output), ctx));
        });

    async Task<Fin<AnswerSet>> RunAsync(LlmSetup setup, string cacheFolder, PromptSet prompts, TitleEmbeddings titles, StageContext ctx)
    {
        using var loggers = new OneLoggerFactory(ctx.Logger);
        var created = titles.ForOfflineEngine().Bind(offlineTitles =>
            IntentEngines.Create(setup.Settings, new OfflineIntentEngine(offlineTitles, prompts.Views), cacheFolder, services.Environment, loggers, services.Time)
                .BiMap(Succ: engine => engine, Fail: error => Error.New($"llm: {error.Message}")));
        return await created.Match(
            Succ: engine => AskAsync(engine, setup, prompts, ctx),
            Fail: error => Task.FromResult(FinFail<AnswerSet>(error))).ConfigureAwait(false);
    }

    static async Task<Fin<AnswerSet>> AskAsync(IIntentEngine created, LlmSetup setup, PromptSet prompts, StageContext ctx)
    {
        await using var engine = created;
        if (engine.Engine != setup.Config.Engine || engine.Model != setup.Config.Model)
            return FinFail<AnswerSet>(Error.New($"llm: asked for {setup.Config.Engine} {setup.Config.Model}, the engine built is {engine.Engine} {engine.Model}"));

        var total = prompts.Prompts.Length;
        var progress = new SynchronousProgress<InferenceProgress>(p => ctx.Progress.Report(new StageProgress(p.Done, p.Total,
            engine.Engine == OfflineIntentEngine.EngineName ? "offline answers" : $"{p.FromCache} cached, {p.Received} received, {p.Failed} failed")));
        ctx.Progress.Report(new StageProgress(0, total, $"{engine.Engine} {engine.Model}"));
        var outcome = await engine.AnswerAsync(prompts.Prompts, progress, ctx.CancellationToken).ConfigureAwait(false);
        var s = outcome.Stats;
        ctx.Logger.LogInformation(
            "infer: {Engine} {Model}: {Prompts} prompts ({Distinct} distinct): {FromCache} from the response cache, {Sent} sent, {Received} received, {Retries} retries; {Ok} ok, {Empty} empty, {Unusable} unusable, {FellBack} fell back to offline",
            s.Engine, s.Model, s.Prompts, s.DistinctPrompts, s.FromCache, s.Sent, s.Received, s.Retries, s.Ok, s.Empty, s.Unusable, s.FellBackToOffline);
        return outcome switch
        {
            InferenceCompleted done => FinSucc(new AnswerSet(prompts.ViewNames, done.Answers)),
            InferenceFailed failed => FinFail<AnswerSet>(Error.New(failed.Failure.Message)),
            _ => throw new InvalidOperationException($"unknown inference outcome {outcome.GetType().Name}"),
        };
    }
}

using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;
using EngineStage = Llm4Sbr.Engine.Stages.Stage;

namespace Llm4Sbr.Stages.Intent.Titles;

/// <summary>The <c>titles</c> stage: embeds the title of every item of the prepared dataset (the
/// catalogue items that occur in a kept session, in catalogue order) with the configured encoder
/// (section <c>encoder</c>, see <see cref="EncoderSection"/>). Both the offline LLM engine (medoid of
/// a session's titles) and <c>localize</c> (the items an answer is pulled onto: the items the
/// recommender knows, as in the paper) read it. Catalogue items no session holds are left out
/// (MovieLens-small: about a third of its 9,742 movies remain). Texts go through the embedding cache,
/// so a rerun with a new key (other session filters, say) only embeds titles it has not seen.</summary>
public sealed class TitlesStage(IntentServices services) : IStageModule
{
    public const string Name = "titles";
    /// <summary>Bump when the output for the same inputs changes.</summary>
    public const string Version = "titles-1";
    public static readonly StageInput<TitleEmbeddings> Output = new(Name);

    public string Stage => Name;
    public ImmutableArray<string> Sections => [EncoderSection.Name];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        EncoderSection.Read(sections[EncoderSection.Name], context).Map(setup =>
        {
            var cache = services.EmbeddingCache(context);
            return (IStage)(EngineStage.Effectful(Name, Version, StageEffects.ReadsFiles | StageEffects.WritesFiles | StageEffects.RunsModels, setup.Config, TitleEmbeddingsCodec.Instance,
                [LoadStage.Output, SessionsStage.Output],
                (_, inputs, ctx) => Run(setup, cache, inputs, ctx)) with { ExternalInputs = setup.Files });
        });

    Fin<TitleEmbeddings> Run(EncoderSetup setup, string cache, StageInputs inputs, StageContext ctx)
    {
        var inSessions = inputs.Get(SessionsStage.Output).Sessions.SelectMany(s => s.Items).ToHashSet();
        var items = inputs.Get(LoadStage.Output).Items.Where(i => inSessions.Contains(i.Id)).ToImmutableArray();
        if (items.Length != inSessions.Count)
        {
            inSessions.ExceptWith(items.Select(i => i.Id));
            return FinFail<TitleEmbeddings>(Error.New($"{inSessions.Count} item(s) of the sessions are not in the catalogue, e.g. item {inSessions.Min()}"));
        }
        return Encoders.OpenCaching(services, setup.Options, cache, ctx.Logger).Bind(opened =>
        {
            using var encoder = opened;
            var titles = items.Select(i => i.Title).ToArray();
            ctx.Progress.Report(new StageProgress(0, titles.Length, "embedding titles"));
            var matrix = encoder.Encode(titles, new CountProgress(ctx.Progress, titles.Length, "embedding titles"), ctx.CancellationToken);
            ctx.Logger.LogInformation("titles: {Items} item titles (of the items in sessions) embedded with {ModelId} ({Dim} dims)", titles.Length, encoder.ModelId, encoder.Dimension);
            return TitleEmbeddings.Create(encoder.ModelId, items, matrix);
        });
    }
}

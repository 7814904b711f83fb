using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.DataStages;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;
using EngineStage = Llm4Sbr.Engine.Stages.Stage;

namespace Llm4Sbr.Stages.Intent.Titles;

/// <summary>The <c>titles</c> stage: embeds every catalogue item's title with the configured encoder
/// (section <c>encoder</c>, see <see cref="EncoderSection"/>). Both the offline LLM engine (medoid
/// of a session's titles) and <c>localize</c> (the items an answer is pulled onto) read it. Texts
/// go through the embedding cache, so a rerun with a new key (another dataset version, say) only
/// embeds titles it has not seen.</summary>
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
            return (IStage)(EngineStage.Pure(Name, Version, setup.Config, TitleEmbeddingsCodec.Instance, [LoadStage.Output],
                (_, inputs, ctx) => Run(setup, cache, inputs, ctx)) with { ExternalInputs = setup.Files });
        });

    Fin<TitleEmbeddings> Run(EncoderSetup setup, string cache, StageInputs inputs, StageContext ctx)
    {
        var items = inputs.Get(LoadStage.Output).Items;
        var opened = Encoders.OpenCaching(services, setup.Options, cache, ctx.Logger);
        if (opened.IsFail) return FinFail<TitleEmbeddings>((Error)opened);
        using var encoder = opened.ThrowIfFail();
        var titles = items.Select(i => i.Title).ToArray();
        ctx.Progress.Report(new StageProgress(0, titles.Length, "embedding titles"));
        var matrix = encoder.Encode(titles, new CountProgress(ctx.Progress, titles.Length, "embedding titles"), ctx.CancellationToken);
        ctx.Logger.LogInformation("titles: {Items} item titles embedded with {ModelId} ({Dim} dims)", titles.Length, encoder.ModelId, encoder.Dimension);
        return TitleEmbeddings.Create(encoder.ModelId, items, matrix);
    }
}

using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Inference.Encoding;
using Llm4Sbr.Stages.Intent.Infer;
using Llm4Sbr.Stages.Intent.Titles;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;
using EngineStage = Llm4Sbr.Engine.Stages.Stage;

namespace Llm4Sbr.Stages.Intent.Embed;

/// <summary>The <c>embed</c> stage's configuration: the encoder's keyed settings (the same as the
/// <c>titles</c> stage's, from the same <c>encoder</c> section).</summary>
public sealed record EmbedConfig(EncoderConfig Encoder);

/// <summary>The <c>embed</c> stage: embeds each answer's text (<see cref="Core.Answers.Answer.Text"/>)
/// with the encoder of section <c>encoder</c>, which <c>titles</c> owns and validates; this stage reads
/// it too, since answers and titles must share an encoder, and checks at run time that its encoder's id
/// is the one the title embeddings were made with. Identical texts are embedded once, and through the
/// embedding cache (by model id and text hash): offline answers are titles, already embedded by
/// <c>titles</c>, so they cost a cache lookup.</summary>
public sealed class EmbedStage(IntentServices services) : IStageModule
{
    public const string Name = "embed";
    public const string Version = "embed-1";
    public static readonly StageInput<AnswerEmbeddings> Output = new(Name);

    public string Stage => Name;
    /// <summary>None of its own: the <c>encoder</c> section belongs to <c>titles</c>.</summary>
    public ImmutableArray<string> Sections => [];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context)
    {
        // An invalid encoder section is reported by titles (once); the pipeline fails to load either way.
        var setup = EncoderSection.Read(sections[EncoderSection.Name], context).Match(s => s, _ => EncoderSetup.Default);
        var cache = services.EmbeddingCache(context);
        return Success<Error, IStage>(EngineStage.Effectful(Name, Version, StageEffects.ReadsFiles | StageEffects.WritesFiles | StageEffects.RunsModels, new EmbedConfig(setup.Config), AnswerEmbeddingsCodec.Instance,
            [InferStage.Output, TitlesStage.Output],
            (_, inputs, ctx) => Run(setup, cache, inputs.Get(InferStage.Output), inputs.Get(TitlesStage.Output), ctx)));
    }

    Fin<AnswerEmbeddings> Run(EncoderSetup setup, string cache, AnswerSet answers, TitleEmbeddings titles, StageContext ctx)
    {
        // Distinct texts in first-appearance order; each row points at its text's index.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var texts = ImmutableArray.CreateBuilder<string>();
        var rows = ImmutableArray.CreateBuilder<VectorRow>(answers.Answers.Length);
        foreach (var answer in answers.Answers)
        {
            if (!index.TryGetValue(answer.Text, out var vector))
            {
                vector = texts.Count;
                index.Add(answer.Text, vector);
                texts.Add(answer.Text);
            }
            rows.Add(new VectorRow(answer.SampleId, answer.View, vector));
        }

        return Encoders.OpenCaching(services, setup.Options, cache, ctx.Logger).Bind(opened =>
        {
            using var encoder = opened;
            if (encoder.ModelId != titles.ModelId)
                return FinFail<AnswerEmbeddings>(Error.New(
                    $"the encoder gives model id {encoder.ModelId}, the title embeddings were made with {titles.ModelId}; answers and titles must share an encoder (rerun titles: --force titles)"));
            var distinct = texts.ToImmutable();
            ctx.Progress.Report(new StageProgress(0, distinct.Length, "embedding answers"));
            var vectors = encoder.Encode(distinct, new CountProgress(ctx.Progress, distinct.Length, "embedding answers"), ctx.CancellationToken);
            ctx.Logger.LogInformation("embed: {Rows} answers, {Distinct} distinct texts, embedded with {ModelId}", rows.Count, distinct.Length, encoder.ModelId);
            return AnswerEmbeddings.Create(encoder.ModelId, answers.Views, distinct, vectors, rows.MoveToImmutable());
        });
    }
}

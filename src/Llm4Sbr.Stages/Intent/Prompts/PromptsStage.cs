using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Prompts;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;
using EngineStage = Llm4Sbr.Engine.Stages.Stage;

namespace Llm4Sbr.Stages.Intent.Prompts;

/// <summary>The <c>prompts</c> stage: one prompt per sample (train and test) per configured view,
/// from the samples and the catalogue's titles (section <c>prompts</c>, see <see cref="PromptsSection"/>).
/// Pure; samples are built in chunks in parallel and joined in order, so the output does not depend
/// on the thread count.</summary>
/// <param name="requiredViews">The views the pipeline's listed models read (given by the product
/// catalogue, which knows the models); the stage adds those the section does not list.</param>
public sealed class PromptsStage(Func<PipelineSections, ImmutableArray<string>>? requiredViews = null) : IStageModule
{
    public const string Name = "prompts";
    /// <summary>Bump when the output for the same inputs changes (the prompt text itself is
    /// versioned by <see cref="PromptBuilder.Version"/>, part of this).</summary>
    public const string Version = "prompts-stage-1+" + PromptBuilder.Version;
    public static readonly StageInput<PromptSet> Output = new(Name);

    const int ChunkSize = 4096;

    public string Stage => Name;
    public ImmutableArray<string> Sections => [PromptsSection.Name];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        PromptsSection.Read(sections[PromptsSection.Name], requiredViews?.Invoke(sections)).Map(config =>
            (IStage)EngineStage.Pure(Name, Version, config, PromptSetCodec.Instance, [SamplesStage.Output, LoadStage.Output],
                (c, inputs, ctx) => Run(c, inputs.Get(SamplesStage.Output), inputs.Get(LoadStage.Output).Items, ctx)));

    public static Fin<PromptSet> Run(PromptsConfig config, SampleSet samples, ImmutableArray<Item> catalogue, StageContext ctx)
    {
        var items = catalogue.ToDictionary(i => i.Id);
        ImmutableArray<Sample> all = [.. samples.Train, .. samples.Test];
        var chunks = (all.Length + ChunkSize - 1) / ChunkSize;
        var built = new Fin<ImmutableArray<PromptRecord>>[chunks];
        var done = 0L;
        var total = (long)all.Length * config.Views.Length;
        ctx.Progress.Report(new StageProgress(0, total, "building prompts"));
        Parallel.For(0, chunks, new ParallelOptions { CancellationToken = ctx.CancellationToken }, c =>
        {
            var chunk = all.Slice(c * ChunkSize, Math.Min(ChunkSize, all.Length - c * ChunkSize));
            built[c] = PromptBuilder.BuildAll(chunk, items, config.Views, config.Options);
            ctx.Progress.Report(new StageProgress(Interlocked.Add(ref done, (long)chunk.Length * config.Views.Length), total, "building prompts"));
        });
        // BuildAll checks the views; with no samples (no chunks) nothing else would.
        var checkedViews = all.IsEmpty ? Views.Validate(config.Views).Map(_ => unit) : FinSucc(unit);
        return
            from _ in checkedViews
            from chunkPrompts in built.AllOrFirstError()
            select new PromptSet(config.Views, [.. chunkPrompts.SelectMany(chunk => chunk)]);
    }
}

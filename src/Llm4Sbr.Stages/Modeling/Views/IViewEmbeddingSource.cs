using System.Collections.Immutable;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Evaluation;

namespace Llm4Sbr.Stages.Modeling.Views;

/// <summary>What the modeling stages read from the intent stages: per view (e.g. <c>long</c>,
/// <c>short</c>) the localized text embedding of every sample, rows aligned to
/// <see cref="SampleIds"/> (the samples' join key). The <c>localize</c> stage's output implements
/// it (or is adapted to it); <c>train</c> reads it only when a configured model needs views.</summary>
public interface IViewEmbeddingSource
{
    /// <summary>The views this source holds, in a stable order.</summary>
    ImmutableArray<string> Views { get; }

    /// <summary>Row i of every view's matrix belongs to sample <c>SampleIds[i]</c>; train and test
    /// samples both (validation is carved from train).</summary>
    ImmutableArray<long> SampleIds { get; }

    /// <summary>The matrix of one of <see cref="Views"/> (rows aligned to <see cref="SampleIds"/>).</summary>
    EmbeddingMatrix For(string view);

    /// <summary>Item-title embeddings in the same space as the views (what localization pulled the
    /// answers onto); needed by <c>llm-infer</c> only. Null when the source has none.</summary>
    ItemTextEmbeddings? ItemTitles { get; }

    /// <summary>What produced the views, for the report: <c>offline</c> (deterministic rules, no
    /// LLM asked) or the engine and model, e.g. <c>ollama qwen2.5:7b</c>.</summary>
    string Engine { get; }
}

public static class ViewEmbeddingSources
{
    /// <summary>Whether <paramref name="engine"/> names the offline engine (no LLM was asked).</summary>
    public static bool IsOffline(string engine) =>
        engine.Trim().StartsWith("offline", StringComparison.OrdinalIgnoreCase);

    /// <summary>The views <paramref name="names"/> as the training library's join input.</summary>
    public static ImmutableArray<SampleViewEmbeddings> Select(IViewEmbeddingSource source, IEnumerable<string> names) =>
        [.. names.Distinct().Where(source.Views.Contains).Select(v => new SampleViewEmbeddings(v, source.SampleIds, source.For(v)))];
}

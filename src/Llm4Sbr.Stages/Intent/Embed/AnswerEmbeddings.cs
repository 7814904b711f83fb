using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Embeddings;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Intent.Embed;

/// <summary>Which vector a (sample, view) has: row <see cref="Vector"/> of the distinct vectors.</summary>
public readonly record struct VectorRow(long SampleId, string View, int Vector);

/// <summary>The <c>embed</c> stage's output: the distinct answer texts and their embeddings (row
/// <c>i</c> of <see cref="Vectors"/> embeds <see cref="Texts"/>[i]), and per (sample, view), in
/// answer order, which of them it has. Identical answers share one vector (with an offline engine,
/// answers are titles: a few thousand distinct texts for hundreds of thousands of rows).</summary>
public sealed record AnswerEmbeddings(
    string ModelId, ImmutableArray<string> Views, ImmutableArray<string> Texts, EmbeddingMatrix Vectors, ImmutableArray<VectorRow> Rows)
{
    public static Fin<AnswerEmbeddings> Create(
        string modelId, ImmutableArray<string> views, ImmutableArray<string> texts, EmbeddingMatrix vectors, ImmutableArray<VectorRow> rows)
    {
        if (vectors.Rows != texts.Length)
            return FinFail<AnswerEmbeddings>(Error.New($"answer embeddings: {vectors.Rows} vectors for {texts.Length} texts"));
        foreach (var row in rows)
            if (row.Vector < 0 || row.Vector >= vectors.Rows)
                return FinFail<AnswerEmbeddings>(Error.New($"answer embeddings: sample {row.SampleId} view {row.View} points at vector {row.Vector}, outside 0..{vectors.Rows - 1}"));
        return FinSucc(new AnswerEmbeddings(modelId, views, texts, vectors, rows));
    }
}

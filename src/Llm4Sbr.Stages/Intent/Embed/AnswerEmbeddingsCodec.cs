using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Inference.Encoding;

namespace Llm4Sbr.Stages.Intent.Embed;

/// <summary>Parquet layout of <see cref="AnswerEmbeddings"/>: distinct vectors, and the (sample, view)
/// rows pointing at them. A (sample, view)'s embedding is a join on <c>vector_id</c>:
/// <c>select r.sample_id, r.view, v.embedding from answer_rows r join answer_vectors v using (vector_id)</c>.</summary>
public sealed class AnswerEmbeddingsCodec : StageCodec<AnswerEmbeddings>
{
    public static AnswerEmbeddingsCodec Instance { get; } = new();

    sealed record Vector(AnswerEmbeddings Source, int Index);

    static readonly ParquetTable<Vector> Vectors = new("answer_vectors.parquet",
        "Each distinct answer text once, with its embedding (L2-normalised).",
        Col.Int32<Vector>("vector_id", "Row number, 0-based (referenced by answer_rows.vector_id).", v => v.Index),
        Col.String<Vector>("text_sha256", "SHA-256 of the UTF-8 text, lower-case hex (the embedding cache's key with the model id).", v => TextHash.Sha256Hex(v.Source.Texts[v.Index])),
        Col.String<Vector>("text", "The answer text embedded.", v => v.Source.Texts[v.Index]),
        Col.FloatList<Vector>("embedding", "Its embedding (dimension values).", v => IntentTables.Row(v.Source.Vectors, v.Index)));

    static readonly ParquetTable<VectorRow> Rows = new("answer_rows.parquet",
        "Per sample and view (answer order), the vector of its answer.",
        Col.Int64<VectorRow>("sample_id", "The sample.", r => r.SampleId),
        Col.String<VectorRow>("view", "The view.", r => r.View),
        Col.Int32<VectorRow>("vector_id", "Row of answer_vectors.parquet.", r => r.Vector));

    static readonly ParquetTable<AnswerEmbeddings> Info = new("embed_info.parquet",
        "One row: the encoder.",
        Col.String<AnswerEmbeddings>("model_id", "Encoder id; the same as the title embeddings'.", a => a.ModelId),
        Col.Int32<AnswerEmbeddings>("dimension", "Embedding length.", a => a.Vectors.Dim));

    public override string Id => "answer-embeddings/1";
    public override ImmutableArray<TableDoc> Tables => [Vectors.Doc, Rows.Doc, IntentTables.Views.Doc, Info.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(AnswerEmbeddings value, string directory, CancellationToken ct)
    {
        await Vectors.WriteAsync(directory, [.. Enumerable.Range(0, value.Texts.Length).Select(i => new Vector(value, i))], ct).ConfigureAwait(false);
        await Rows.WriteAsync(directory, value.Rows, ct).ConfigureAwait(false);
        await IntentTables.Views.WriteAsync(directory, value.Views, ct).ConfigureAwait(false);
        await Info.WriteAsync(directory, [value], ct).ConfigureAwait(false);
        return [Vectors.File, Rows.File, IntentTables.Views.File, Info.File];
    }

    public override async Task<Fin<AnswerEmbeddings>> ReadAsync(string directory, CancellationToken ct)
    {
        var vectors = await Vectors.ReadAsync(directory, ct).ConfigureAwait(false);
        var rows = await Rows.ReadAsync(directory, ct).ConfigureAwait(false);
        var viewTable = await IntentTables.Views.ReadAsync(directory, ct).ConfigureAwait(false);
        var info = await Info.ReadAsync(directory, ct).ConfigureAwait(false);
        return
        from v in vectors.Bind(t => IntentTables.Sequential(t, "vector_id"))
        from r in rows
        from w in viewTable
        from i in info.Bind(IntentTables.OneRow)
        from views in IntentTables.ReadViews(w)
        from matrix in IntentTables.Matrix(v.FloatList("embedding"), i.Int32("dimension")[0], v.Path, "embedding")
        from embeddings in AnswerEmbeddings.Create(i.String("model_id")[0], views, [.. v.String("text")], matrix, ToRows(r))
        select embeddings;
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(AnswerEmbeddings value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("rows", (long)value.Rows.Length),
            KeyValuePair.Create("distinct_texts", (long)value.Texts.Length),
        ]);

    static ImmutableArray<VectorRow> ToRows(TableData t)
    {
        var (samples, views, vectors) = (t.Int64("sample_id"), t.String("view"), t.Int32("vector_id"));
        var rows = ImmutableArray.CreateBuilder<VectorRow>(t.RowCount);
        for (var i = 0; i < t.RowCount; i++) rows.Add(new VectorRow(samples[i], string.Intern(views[i]), vectors[i]));
        return rows.MoveToImmutable();
    }
}

using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Intent.Embed;

namespace Llm4Sbr.Stages.Intent.Localize;

/// <summary>Parquet layout of <see cref="ViewEmbeddings"/>: the distinct localized vectors with their
/// top-k items, and the (sample, view) rows pointing at them. A (sample, view)'s localized embedding
/// and top items are a join on <c>vector_id</c>.</summary>
public sealed class ViewEmbeddingsCodec : StageCodec<ViewEmbeddings>
{
    public static ViewEmbeddingsCodec Instance { get; } = new();

    sealed record Vector(ViewEmbeddings Source, int Index);

    static readonly ParquetTable<Vector> Vectors = new("localized_vectors.parquet",
        "Each distinct localized intent once: the similarity-weighted sum of its top-k item title embeddings (k = 0: the raw answer embedding).",
        Col.Int32<Vector>("vector_id", "Row number, 0-based (referenced by localized_rows.vector_id).", v => v.Index),
        Col.FloatList<Vector>("embedding", "The localized embedding (dimension values; not re-normalised, as in the paper).", v => IntentTables.Row(v.Source.Vectors, v.Index)),
        Col.Int32List<Vector>("top_item_ids", "The k items the answer was pulled onto, most similar first (items with a title only).", v => Slice(v.Source.TopItemIds, v.Index, v.Source.K)),
        Col.FloatList<Vector>("top_similarities", "Their cosine similarities to the answer embedding, descending.", v => Slice(v.Source.TopSimilarities, v.Index, v.Source.K)));

    static readonly ParquetTable<VectorRow> Rows = new("localized_rows.parquet",
        "Per sample (ascending id) and view (configured order), its localized vector.",
        Col.Int64<VectorRow>("sample_id", "The sample.", r => r.SampleId),
        Col.String<VectorRow>("view", "The view.", r => r.View),
        Col.Int32<VectorRow>("vector_id", "Row of localized_vectors.parquet.", r => r.Vector));

    static readonly ParquetTable<ViewEmbeddings> Info = new("localize_info.parquet",
        "One row: the encoder, the dimension and k.",
        Col.String<ViewEmbeddings>("model_id", "Encoder id of the answer and title embeddings.", e => e.ModelId),
        Col.Int32<ViewEmbeddings>("dimension", "Embedding length.", e => e.Dim),
        Col.Int32<ViewEmbeddings>("k", "Top items per answer (0: raw answer embeddings).", e => e.K));

    public override string Id => "view-embeddings/1";
    public override ImmutableArray<TableDoc> Tables => [Vectors.Doc, Rows.Doc, IntentTables.Views.Doc, Info.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(ViewEmbeddings value, string directory, CancellationToken ct)
    {
        await Vectors.WriteAsync(directory, [.. Enumerable.Range(0, value.Vectors.Rows).Select(i => new Vector(value, i))], ct).ConfigureAwait(false);
        await Rows.WriteAsync(directory, [.. value.Rows()], ct).ConfigureAwait(false);
        await IntentTables.Views.WriteAsync(directory, value.Views, ct).ConfigureAwait(false);
        await Info.WriteAsync(directory, [value], ct).ConfigureAwait(false);
        return [Vectors.File, Rows.File, IntentTables.Views.File, Info.File];
    }

    public override async Task<Fin<ViewEmbeddings>> ReadAsync(string directory, CancellationToken ct)
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
        let k = i.Int32("k")[0]
        from matrix in IntentTables.Matrix(v.FloatList("embedding"), i.Int32("dimension")[0], v.Path, "embedding")
        from ids in Flatten(v.Int32List("top_item_ids"), k, v.Path, "top_item_ids")
        from sims in Flatten(v.FloatList("top_similarities"), k, v.Path, "top_similarities")
        from embeddings in ViewEmbeddings.FromRows(i.String("model_id")[0], k, views, matrix, ids, sims, ToRows(r))
        select embeddings;
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(ViewEmbeddings value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("rows", (long)value.Count * value.Views.Length),
            KeyValuePair.Create("samples", (long)value.Count),
            KeyValuePair.Create("distinct_vectors", (long)value.Vectors.Rows),
        ]);

    static ImmutableArray<T> Slice<T>(ImmutableArray<T> values, int index, int k) => values.Slice(index * k, k);

    static Fin<ImmutableArray<T>> Flatten<T>(ImmutableArray<T>[] lists, int k, string path, string column)
    {
        var flat = ImmutableArray.CreateBuilder<T>(lists.Length * k);
        for (var i = 0; i < lists.Length; i++)
        {
            if (lists[i].Length != k)
                return LanguageExt.Prelude.FinFail<ImmutableArray<T>>(Engine.Errors.EngineErrors.ParquetSchema(path, $"row {i}: '{column}' holds {lists[i].Length} values, expected k = {k}"));
            flat.AddRange(lists[i]);
        }
        return LanguageExt.Prelude.FinSucc(flat.MoveToImmutable());
    }

    static ImmutableArray<VectorRow> ToRows(TableData t)
    {
        var (samples, views, vectors) = (t.Int64("sample_id"), t.String("view"), t.Int32("vector_id"));
        var rows = ImmutableArray.CreateBuilder<VectorRow>(t.RowCount);
        for (var i = 0; i < t.RowCount; i++) rows.Add(new VectorRow(samples[i], string.Intern(views[i]), vectors[i]));
        return rows.MoveToImmutable();
    }
}

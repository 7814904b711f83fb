using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Stages.Intent.Titles;

/// <summary>Parquet layout of <see cref="TitleEmbeddings"/>: one row per item of the sessions, and the encoder's id.</summary>
public sealed class TitleEmbeddingsCodec : StageCodec<TitleEmbeddings>
{
    public static TitleEmbeddingsCodec Instance { get; } = new();

    sealed record Row(TitleEmbeddings Source, int Index);

    static readonly ParquetTable<Row> Titles = new("titles.parquet",
        "Per item that occurs in a kept session (catalogue order), its title embedding (L2-normalised).",
        Col.Int32<Row>("item_id", "Item id as in the source.", r => r.Source.Items[r.Index].Id),
        Col.String<Row>("title", "The text embedded: the title, or the placeholder 'item <id>' when the source had none.", r => r.Source.Items[r.Index].Title),
        Col.Bool<Row>("has_title", "False for a placeholder; localization never picks such an item.", r => r.Source.Items[r.Index].HasTitle),
        Col.FloatList<Row>("embedding", "The title's embedding (dimension values).", r => IntentTables.Row(r.Source.Embeddings, r.Index)));

    static readonly ParquetTable<TitleEmbeddings> Info = new("titles_info.parquet",
        "One row: the encoder that produced the embeddings.",
        Col.String<TitleEmbeddings>("model_id", "Encoder id (model and vocabulary content hashes, pooling, token limit, casing).", t => t.ModelId),
        Col.Int32<TitleEmbeddings>("dimension", "Embedding length.", t => t.Dim));

    public override string Id => "title-embeddings/1";
    public override ImmutableArray<TableDoc> Tables => [Titles.Doc, Info.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(TitleEmbeddings value, string directory, CancellationToken ct)
    {
        await Titles.WriteAsync(directory, [.. Enumerable.Range(0, value.Items.Length).Select(i => new Row(value, i))], ct).ConfigureAwait(false);
        await Info.WriteAsync(directory, [value], ct).ConfigureAwait(false);
        return [Titles.File, Info.File];
    }

    public override async Task<Fin<TitleEmbeddings>> ReadAsync(string directory, CancellationToken ct)
    {
        var titlesTable = await Titles.ReadAsync(directory, ct).ConfigureAwait(false);
        var info = await Info.ReadAsync(directory, ct).ConfigureAwait(false);
        return
            from t in titlesTable
            from i in info.Bind(IntentTables.OneRow)
            from matrix in IntentTables.Matrix(t.FloatList("embedding"), i.Int32("dimension")[0], t.Path, "embedding")
            from titles in TitleEmbeddings.Create(i.String("model_id")[0], Items(t), matrix)
            select titles;
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(TitleEmbeddings value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("items", (long)value.Items.Length),
            KeyValuePair.Create("untitled", (long)value.Items.Count(i => !i.HasTitle)),
        ]);

    static ImmutableArray<Item> Items(TableData t)
    {
        var (ids, titles, has) = (t.Int32("item_id"), t.String("title"), t.Bool("has_title"));
        return [.. Enumerable.Range(0, t.RowCount).Select(i => new Item(ids[i], titles[i], has[i]))];
    }
}

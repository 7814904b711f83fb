using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Inference.Llm;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Intent.Titles;

/// <summary>The <c>titles</c> stage's output: row <c>i</c> of <see cref="Embeddings"/> embeds the title
/// of <see cref="Items"/>[i]: the items of the prepared dataset's sessions, in catalogue order (items without a title embed their placeholder
/// <c>item &lt;id&gt;</c>, which is also what prompts show for them). <see cref="ModelId"/> names the
/// encoder that produced them (see <c>ITextEncoder.ModelId</c>): answers must be embedded by the same one.</summary>
public sealed record TitleEmbeddings(string ModelId, ImmutableArray<Item> Items, EmbeddingMatrix Embeddings)
{
    public int Dim => Embeddings.Dim;

    /// <summary>Checks that there is one row per item and item ids are unique.</summary>
    public static Fin<TitleEmbeddings> Create(string modelId, ImmutableArray<Item> items, EmbeddingMatrix embeddings)
    {
        if (embeddings.Rows != items.Length)
            return FinFail<TitleEmbeddings>(Error.New($"title embeddings: {embeddings.Rows} rows for {items.Length} items"));
        var duplicate = items.GroupBy(i => i.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            return FinFail<TitleEmbeddings>(Error.New($"title embeddings: item {duplicate.Key} appears {duplicate.Count()} times"));
        return FinSucc(new TitleEmbeddings(modelId, items, embeddings));
    }

    /// <summary>What the offline engine picks from: every item, titled or not.</summary>
    public Fin<ItemTitleEmbeddings> ForOfflineEngine() =>
        ItemTitleEmbeddings.ForRows(Items.ToDictionary(i => i.Id), Embeddings, [.. Items.Select(i => i.Id)]);

    /// <summary>The items localization may pull an answer onto: those with a real title (a placeholder
    /// says nothing about the item), with their embeddings in the same order.</summary>
    public (ImmutableArray<int> ItemIds, EmbeddingMatrix Embeddings) Titled()
    {
        var rows = Enumerable.Range(0, Items.Length).Where(r => Items[r].HasTitle).ToArray();
        if (rows.Length == Items.Length) return ([.. Items.Select(i => i.Id)], Embeddings);
        var data = new float[rows.Length * Dim];
        for (var i = 0; i < rows.Length; i++) Embeddings.Row(rows[i]).CopyTo(data.AsSpan(i * Dim, Dim));
        return ([.. rows.Select(r => Items[r].Id)], new EmbeddingMatrix(rows.Length, Dim, data));
    }
}

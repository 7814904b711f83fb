using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Prompts;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Intent.Prompts;

/// <summary>Parquet layout of <see cref="PromptSet"/>: the prompts, and the views with their qualifiers and offline rules.</summary>
public sealed class PromptSetCodec : StageCodec<PromptSet>
{
    public static PromptSetCodec Instance { get; } = new();

    static readonly ParquetTable<PromptRecord> PromptsTable = new("prompts.parquet",
        "One prompt per sample and view: samples in order (train, then test), views in configured order.",
        Col.Int64<PromptRecord>("sample_id", "The sample (join key with samples.parquet).", p => p.SampleId),
        Col.String<PromptRecord>("view", "The view (see views.parquet).", p => p.View),
        Col.Int32List<PromptRecord>("item_ids", "The clicks the prompt shows: the sample's prefix cut to its last max_items, oldest first.", p => p.ItemIds),
        Col.String<PromptRecord>("text", "The prompt as sent to the LLM.", p => p.Text),
        Col.String<PromptRecord>("prompt_sha256", "SHA-256 of the UTF-8 text, lower-case hex (the response cache's key).", p => p.Hash));

    static readonly ParquetTable<ViewSpec> ViewsTable = new("views.parquet",
        "The views, in configured order.",
        Col.String<ViewSpec>("view", "View name.", v => v.Name),
        Col.String<ViewSpec>("qualifier", "Words spliced into the question ('' for none).", v => v.Qualifier),
        Col.String<ViewSpec>("offline_rule", "What the offline engine answers: medoid, medoid:<n> or last.", v => v.Offline.ToString()));

    public override string Id => "prompt-set/1";
    public override ImmutableArray<TableDoc> Tables => [PromptsTable.Doc, ViewsTable.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(PromptSet value, string directory, CancellationToken ct)
    {
        await PromptsTable.WriteAsync(directory, value.Prompts, ct).ConfigureAwait(false);
        await ViewsTable.WriteAsync(directory, value.Views, ct).ConfigureAwait(false);
        return [PromptsTable.File, ViewsTable.File];
    }

    public override async Task<Fin<PromptSet>> ReadAsync(string directory, CancellationToken ct)
    {
        var promptsTable = await PromptsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var viewsTable = await ViewsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        return
            from p in promptsTable
            from v in viewsTable
            from views in ToViews(v)
            select new PromptSet(views, ToPrompts(p));
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(PromptSet value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("prompts", (long)value.Prompts.Length),
            KeyValuePair.Create("views", (long)value.Views.Length),
        ]);

    static ImmutableArray<PromptRecord> ToPrompts(TableData t)
    {
        var (samples, views, items, texts, hashes) =
            (t.Int64("sample_id"), t.String("view"), t.Int32List("item_ids"), t.String("text"), t.String("prompt_sha256"));
        var prompts = ImmutableArray.CreateBuilder<PromptRecord>(t.RowCount);
        for (var i = 0; i < t.RowCount; i++) prompts.Add(new PromptRecord(samples[i], string.Intern(views[i]), items[i], texts[i], hashes[i]));
        return prompts.MoveToImmutable();
    }

    static Fin<ImmutableArray<ViewSpec>> ToViews(TableData t)
    {
        var (names, qualifiers, rules) = (t.String("view"), t.String("qualifier"), t.String("offline_rule"));
        return Enumerable.Range(0, t.RowCount)
            .Select(i => OfflineRule.Parse(rules[i]).BiMap(
                Succ: rule => new ViewSpec(names[i], qualifiers[i], rule),
                Fail: error => EngineErrors.ParquetSchema(t.Path, $"row {i}: {error.Message}")))
            .AllOrFirstError();
    }
}

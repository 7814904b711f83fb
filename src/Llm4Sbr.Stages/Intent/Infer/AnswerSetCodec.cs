using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Answers;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Intent.Infer;

/// <summary>Parquet layout of <see cref="AnswerSet"/>.</summary>
public sealed class AnswerSetCodec : StageCodec<AnswerSet>
{
    public static AnswerSetCodec Instance { get; } = new();

    /// <summary>Spelling of <see cref="AnswerStatus"/> in the <c>status</c> column.</summary>
    public static string StatusName(AnswerStatus status) => status switch
    {
        AnswerStatus.Ok => "ok",
        AnswerStatus.Empty => "empty",
        _ => "unusable",
    };

    static readonly ParquetTable<Answer> AnswersTable = new("answers.parquet",
        "One answer per prompt (sample, then view, as in prompts.parquet).",
        Col.Int64<Answer>("sample_id", "The sample.", a => a.SampleId),
        Col.String<Answer>("view", "The view.", a => a.View),
        Col.String<Answer>("prompt_sha256", "The prompt's hash (the response cache's key with engine, model and options).", a => a.PromptHash),
        Col.String<Answer>("engine", "Who was asked: offline, ollama or openai.", a => a.Engine),
        Col.String<Answer>("model", "The model asked ('title-medoid-1' for the offline engine).", a => a.Model),
        Col.String<Answer>("status", "Quality of the reply after cleaning: ok, empty or unusable.", a => StatusName(a.Status)),
        Col.String<Answer>("raw", "The reply as received (the offline engine's answer for engine offline).", a => a.Raw),
        Col.String<Answer>("cleaned", "The reply after cleaning (numbering, quotes, the _<id> suffix, explanations removed).", a => a.Cleaned),
        Col.String<Answer>("text", "What embed embeds: cleaned when ok, else the offline answer.", a => a.Text),
        Col.String<Answer>("text_engine", "Whose text 'text' is: the engine, or offline after a fallback.", a => a.TextEngine),
        Col.Bool<Answer>("fell_back_to_offline", "True when the reply was empty or unusable and 'text' is the offline answer.", a => a.FellBackToOffline),
        Col.Int32<Answer>("offline_item_id", "The item whose title 'text' is when it came from the offline engine, else -1.", a => a.OfflineItemId ?? -1),
        Col.String<Answer>("issue", "Why the reply was not usable ('' when it was).", a => a.Issue ?? ""));

    public override string Id => "answer-set/1";
    public override ImmutableArray<TableDoc> Tables => [AnswersTable.Doc, IntentTables.Views.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(AnswerSet value, string directory, CancellationToken ct)
    {
        await AnswersTable.WriteAsync(directory, value.Answers, ct).ConfigureAwait(false);
        await IntentTables.Views.WriteAsync(directory, value.Views, ct).ConfigureAwait(false);
        return [AnswersTable.File, IntentTables.Views.File];
    }

    public override async Task<Fin<AnswerSet>> ReadAsync(string directory, CancellationToken ct)
    {
        var answersTable = await AnswersTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var viewTable = await IntentTables.Views.ReadAsync(directory, ct).ConfigureAwait(false);
        return
            from a in answersTable
            from v in viewTable
            from views in IntentTables.ReadViews(v)
            from answers in ToAnswers(a)
            select new AnswerSet(views, answers);
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(AnswerSet value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("answers", (long)value.Answers.Length),
            KeyValuePair.Create("ok", (long)value.Count(AnswerStatus.Ok)),
            KeyValuePair.Create("empty", (long)value.Count(AnswerStatus.Empty)),
            KeyValuePair.Create("unusable", (long)value.Count(AnswerStatus.Unusable)),
            KeyValuePair.Create("fell_back_to_offline", (long)value.FellBackToOffline),
        ]);

    static Fin<ImmutableArray<Answer>> ToAnswers(TableData t)
    {
        var (samples, views, hashes, engines, models, statuses) =
            (t.Int64("sample_id"), t.String("view"), t.String("prompt_sha256"), t.String("engine"), t.String("model"), t.String("status"));
        var (raws, cleaned, texts, textEngines, fellBack, offlineItems, issues) =
            (t.String("raw"), t.String("cleaned"), t.String("text"), t.String("text_engine"), t.Bool("fell_back_to_offline"), t.Int32("offline_item_id"), t.String("issue"));
        var answers = ImmutableArray.CreateBuilder<Answer>(t.RowCount);
        for (var i = 0; i < t.RowCount; i++)
        {
            AnswerStatus status;
            switch (statuses[i])
            {
                case "ok": status = AnswerStatus.Ok; break;
                case "empty": status = AnswerStatus.Empty; break;
                case "unusable": status = AnswerStatus.Unusable; break;
                default:
                    return FinFail<ImmutableArray<Answer>>(EngineErrors.ParquetSchema(t.Path, $"row {i}: status '{statuses[i]}' is not one of ok, empty, unusable"));
            }
            answers.Add(new Answer(samples[i], string.Intern(views[i]), hashes[i], string.Intern(engines[i]), string.Intern(models[i]), raws[i], cleaned[i], status,
                texts[i], string.Intern(textEngines[i]), fellBack[i], offlineItems[i] < 0 ? null : offlineItems[i], issues[i].Length == 0 ? null : issues[i]));
        }
        return FinSucc(answers.MoveToImmutable());
    }
}

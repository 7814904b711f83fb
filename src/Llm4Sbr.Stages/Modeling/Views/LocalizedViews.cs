using System.Collections.Immutable;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Stages.Intent.Infer;
using Llm4Sbr.Stages.Intent.Localize;
using Llm4Sbr.Stages.Intent.Titles;
using Llm4Sbr.Training.Evaluation;

namespace Llm4Sbr.Stages.Modeling.Views;

/// <summary>The intent stages' outputs as the modeling stages read them: the localized views
/// (<c>localize</c>), the item-title embeddings in the same space (<c>titles</c>, for
/// <c>llm-infer</c>), and who answered (<c>infer</c>, for the report's label).</summary>
public sealed class LocalizedViews : IViewEmbeddingSource
{
    readonly ViewEmbeddings _localized;
    readonly Lazy<ItemTextEmbeddings> _titles;

    public LocalizedViews(ViewEmbeddings localized, TitleEmbeddings titles, AnswerSet answers)
    {
        _localized = localized;
        _titles = new(() => ItemTextsOf(titles));
        Engine = DescribeEngines(answers);
    }

    public ImmutableArray<string> Views => _localized.Views;
    public ImmutableArray<long> SampleIds => _localized.SampleIds;
    public ItemTextEmbeddings? ItemTitles => _titles.Value;
    public string Engine { get; }

    /// <summary>The title embeddings as the training library reads them (item id -> vector).</summary>
    public static ItemTextEmbeddings ItemTextsOf(TitleEmbeddings titles)
    {
        var (ids, matrix) = titles.Titled();
        return new ItemTextEmbeddings(ids, matrix);
    }

    public EmbeddingMatrix For(string view) => _localized.Matrix(view).Match(
        m => m,
        e => throw new KeyNotFoundException($"no view '{view}' in the localized embeddings ({string.Join(", ", Views)}): {e.Message}"));

    /// <summary><c>offline</c> when no LLM answered; otherwise each engine and model, with how many
    /// answers fell back to the offline rule, so the report never passes offline text as an LLM's.</summary>
    static string DescribeEngines(AnswerSet answers)
    {
        var engines = answers.Answers.Select(a => $"{a.Engine} {a.Model}".Trim()).Distinct().Order(StringComparer.Ordinal).ToList();
        if (engines.Count == 0) return "offline";
        var described = string.Join(", ", engines);
        return answers.FellBackToOffline > 0 ? $"{described} ({answers.FellBackToOffline} answers fell back to offline)" : described;
    }
}

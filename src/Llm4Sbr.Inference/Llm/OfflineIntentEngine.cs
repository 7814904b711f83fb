using System.Collections.Immutable;
using System.Numerics.Tensors;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Answers;
using Llm4Sbr.Core.Prompts;

namespace Llm4Sbr.Inference.Llm;

/// <summary>The <c>offline</c> engine: deterministic answers from the clicks a prompt shows, no LLM.
/// Per view (its <see cref="ViewSpec.Offline"/> rule): <c>medoid</c> answers the title of the item whose
/// title embedding has the highest mean cosine to the other clicks' title embeddings (computed over click
/// positions, so a repeated item counts once per click; scores within 1e-9 tie and the most recent click
/// wins); <c>medoid:n</c> does the same over the last n clicks; <c>last</c> answers the last click's
/// title. Shipped views: long = medoid, short = last, normal = medoid:3. Everything it produces is
/// labelled engine <c>offline</c>.</summary>
public sealed class OfflineIntentEngine : IIntentEngine
{
    public const string EngineName = "offline";
    public const string ModelName = "title-medoid-1";
    private const double TieTolerance = 1e-9;

    private readonly ItemTitleEmbeddings _titles;
    private readonly ImmutableDictionary<string, ViewSpec> _views;

    public OfflineIntentEngine(ItemTitleEmbeddings titles, IEnumerable<ViewSpec> views)
    {
        _titles = titles;
        _views = views.ToImmutableDictionary(v => v.Name);
    }

    /// <summary>Names of the views this engine has rules for.</summary>
    public IEnumerable<string> ViewNames => _views.Keys.Order(StringComparer.Ordinal);

    public string Engine => EngineName;
    public string Model => ModelName;
    public string Fingerprint =>
        $"engine={EngineName};model={ModelName};views={string.Join(',', _views.Values.OrderBy(v => v.Name, StringComparer.Ordinal).Select(v => $"{v.Name}:{v.Offline}"))}";

    /// <summary>The item the rules pick for a prompt; errors name the sample, view and missing item.</summary>
    public Fin<(int ItemId, string Title)> Pick(PromptRecord prompt)
    {
        if (!_views.TryGetValue(prompt.View, out var view))
            return Error.New($"sample {prompt.SampleId}: view '{prompt.View}' has no offline rule; configured views: {string.Join(", ", _views.Keys.Order(StringComparer.Ordinal))}");
        var clicks = prompt.ItemIds;
        if (clicks.IsDefaultOrEmpty) return Error.New($"sample {prompt.SampleId}: the prompt shows no clicks");
        var window = view.Offline.Window > 0 && view.Offline.Window < clicks.Length
            ? clicks.Slice(clicks.Length - view.Offline.Window, view.Offline.Window)
            : clicks;
        int chosen;
        if (view.Offline.Pick == OfflinePick.Last || window.Length == 1)
            chosen = window[^1];
        else
        {
            var medoid = MedoidPosition(window, out var missing);
            if (medoid < 0) return Error.New($"sample {prompt.SampleId}: item {missing} has no title embedding");
            chosen = window[medoid];
        }
        if (!_titles.Items.TryGetValue(chosen, out var item))
            return Error.New($"sample {prompt.SampleId}: item {chosen} has no entry in the item catalogue");
        return (chosen, item.Title);
    }

    /// <summary>The offline <see cref="Answer"/> for a prompt.</summary>
    public Fin<Answer> Answer(PromptRecord prompt) =>
        Pick(prompt).Map(p => new Answer(prompt.SampleId, prompt.View, prompt.Hash, EngineName, ModelName,
            p.Title, p.Title, AnswerStatus.Ok, p.Title, EngineName, false, p.ItemId, null));

    public Task<InferenceOutcome> AnswerAsync(IReadOnlyList<PromptRecord> prompts, IProgress<InferenceProgress>? progress, CancellationToken cancellationToken)
    {
        var answers = ImmutableArray.CreateBuilder<Answer>(prompts.Count);
        for (var i = 0; i < prompts.Count; i++)
        {
            if ((i & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new InferenceProgress(i, prompts.Count, 0, 0, 0));
            }
            var failed = Answer(prompts[i]).Match(
                Succ: answer =>
                {
                    answers.Add(answer);
                    return (InferenceFailed?)null;
                },
                Fail: error => new InferenceFailed(
                    new InferenceFailure($"offline engine: {error.Message}", [], 0, prompts.Count - i, ""),
                    Stats(prompts.Count, i)));
            if (failed is not null) return Task.FromResult<InferenceOutcome>(failed);
        }
        progress?.Report(new InferenceProgress(prompts.Count, prompts.Count, 0, 0, 0));
        return Task.FromResult<InferenceOutcome>(new InferenceCompleted(answers.MoveToImmutable(), Stats(prompts.Count, prompts.Count)));
    }

    public ValueTask DisposeAsync() => default;

    private InferenceStats Stats(int prompts, int ok) =>
        new(EngineName, ModelName, prompts, prompts, 0, 0, 0, 0, ok, 0, 0, 0, ImmutableSortedDictionary<string, int>.Empty, null);

    /// <summary>Position of the medoid click, or -1 with <paramref name="missing"/> set when an item has no embedding.</summary>
    private int MedoidPosition(ImmutableArray<int> clicks, out int missing)
    {
        missing = 0;
        var n = clicks.Length;
        var dim = _titles.Dim;
        var rows = new float[n * dim];
        for (var i = 0; i < n; i++)
        {
            if (!_titles.TryUnitRow(clicks[i], out var row))
            {
                missing = clicks[i];
                return -1;
            }
            row.CopyTo(rows.AsSpan(i * dim, dim));
        }
        // Each pair once: the same float cosine goes into both sums, so equal titles tie up to summation order.
        var sums = new double[n];
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
            {
                double cosine = TensorPrimitives.Dot(rows.AsSpan(i * dim, dim), rows.AsSpan(j * dim, dim));
                sums[i] += cosine;
                sums[j] += cosine;
            }
        var best = sums.Max();
        for (var i = n - 1; i >= 0; i--)
            if (sums[i] >= best - TieTolerance) return i;
        return n - 1;
    }
}

using System.Collections.Immutable;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Core.Evaluation;

/// <summary>One recommended item: its source id and the model's score.</summary>
public sealed record ScoredItem(int ItemId, float Score);

/// <summary>The <c>recommend</c> behaviour shared by every model: score the catalogue after a
/// session's clicks and return the best items.</summary>
public static class Recommendations
{
    /// <summary>The <paramref name="count"/> best next items after <paramref name="sessionItemIds"/>
    /// (source item ids, oldest first; ids the vocabulary lacks are ignored), best first, equal
    /// scores by lower dense index. With <paramref name="excludeSessionItems"/> the session's own
    /// items are not recommended again.</summary>
    public static ImmutableArray<ScoredItem> Recommend(
        ISessionScorer scorer, ItemVocabulary vocabulary, IReadOnlyList<int> sessionItemIds, int count, bool excludeSessionItems = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(sessionItemIds);
        if (scorer.Size != vocabulary.Size)
            throw new ArgumentException($"the scorer has {scorer.Size} score slots but the vocabulary has {vocabulary.Size}", nameof(scorer));
        var prefix = new int[sessionItemIds.Count];
        int length = DenseIndices.Fill(sessionItemIds.ToArray(), vocabulary, prefix, out _);
        var scores = new float[scorer.Size];
        scorer.Score(prefix.AsSpan(0, length), scores);
        if (excludeSessionItems)
            foreach (int index in prefix.AsSpan(0, length)) scores[index] = float.NaN;
        // Excluded items are NaN and sort last, so asking for `length` more always leaves enough.
        var best = TopK.Indices(scores, excludeSessionItems ? count + length : count);
        return [.. best.Where(i => !float.IsNaN(scores[i])).Take(count).Select(i => new ScoredItem(vocabulary.IdAt(i), scores[i]))];
    }
}

namespace Llm4Sbr.Core.Evaluation;

/// <summary>A fitted next-item model as the evaluator and <c>recommend</c> see it: given the clicks
/// of a session so far, it scores every slot of the catalogue.</summary>
/// <remarks>Implementations must be thread-safe: the evaluator calls <see cref="Score"/> from
/// several threads at once, each with its own buffers. Scores only need to be comparable within
/// one call; higher means more likely. Equal scores are ties, and ties never favour the target
/// (<see cref="Ranking.RankOf"/>).</remarks>
public interface ISessionScorer
{
    /// <summary>Number of score slots: <see cref="Data.ItemVocabulary.Size"/> of the vocabulary the
    /// model was fitted with (slot 0 is padding and is never ranked).</summary>
    int Size { get; }

    /// <summary>Writes one score per slot into <paramref name="scores"/> (length <see cref="Size"/>)
    /// for the item following <paramref name="prefix"/>: dense item indices 1..Size-1, oldest first,
    /// possibly empty. Every slot is overwritten.</summary>
    void Score(ReadOnlySpan<int> prefix, Span<float> scores);
}

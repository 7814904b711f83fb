using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Baselines;

/// <summary>The training sessions a baseline is fitted on: whole sessions (not prefixes) as dense
/// item indices 1..<see cref="Size"/>-1, clicks in order. The position of a session in
/// <see cref="Sessions"/> is its time: later sessions are more recent. (The prepared sessions carry
/// no timestamps; the canonical order, which the split keeps, is the only notion of time. Recency
/// weights and "recent" sampling use it.)</summary>
public sealed record TrainingSessions
{
    public ImmutableArray<ImmutableArray<int>> Sessions { get; }

    /// <summary>Score slots of every scorer fitted on these sessions: the vocabulary's Size.</summary>
    public int Size { get; }

    private TrainingSessions(ImmutableArray<ImmutableArray<int>> sessions, int size) => (Sessions, Size) = (sessions, size);

    /// <summary>Maps the items of <paramref name="sessions"/> (source ids) to dense indices of
    /// <paramref name="vocabulary"/>. Fails, naming the session and item, if an item is missing.</summary>
    public static Fin<TrainingSessions> FromSessions(IEnumerable<Session> sessions, ItemVocabulary vocabulary)
    {
        var builder = ImmutableArray.CreateBuilder<ImmutableArray<int>>();
        foreach (var session in sessions)
        {
            var dense = new int[session.Items.Length];
            for (int i = 0; i < dense.Length; i++)
            {
                if (!vocabulary.TryIndexOf(session.Items[i], out dense[i]) || dense[i] == 0)
                    return FinFail<TrainingSessions>(Error.New(
                        $"training session {session.Id} (key {session.Key}), click {i + 1}: item {session.Items[i]} is not in the vocabulary"));
            }
            builder.Add(ImmutableArray.Create(dense));
        }
        return new TrainingSessions(builder.ToImmutable(), vocabulary.Size);
    }

    /// <summary>Sessions already in dense indices; fails, naming the session and click, when an
    /// index is outside 1..<paramref name="size"/>-1.</summary>
    public static Fin<TrainingSessions> FromDense(IEnumerable<IReadOnlyList<int>> sessions, int size)
    {
        if (size < 1) return FinFail<TrainingSessions>(Error.New($"size must be at least 1 (slot 0 is padding), got {size}"));
        var builder = ImmutableArray.CreateBuilder<ImmutableArray<int>>();
        int ordinal = 0;
        foreach (var session in sessions)
        {
            for (int i = 0; i < session.Count; i++)
                if (session[i] < 1 || session[i] >= size)
                    return FinFail<TrainingSessions>(Error.New(
                        $"training session #{ordinal}, click {i + 1}: item index {session[i]} is outside 1..{size - 1}"));
            builder.Add([.. session]);
            ordinal++;
        }
        return new TrainingSessions(builder.ToImmutable(), size);
    }
}

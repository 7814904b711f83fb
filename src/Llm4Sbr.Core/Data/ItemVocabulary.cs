using System.Collections.Immutable;

namespace Llm4Sbr.Core.Data;

/// <summary>Dense indices for the items of a prepared dataset: index 0 is padding, items get
/// 1..<see cref="Count"/> in ascending id order. Models score <see cref="Size"/> = Count + 1 slots.</summary>
public sealed record ItemVocabulary(ImmutableArray<int> IdsByIndex)
{
    private readonly Dictionary<int, int> _indexById = IdsByIndex.Select((id, i) => (id, i)).Skip(1).ToDictionary(p => p.id, p => p.i);

    public int Count => IdsByIndex.Length - 1;
    public int Size => IdsByIndex.Length;
    public int IndexOf(int itemId) => _indexById.TryGetValue(itemId, out var i) ? i
        : throw new KeyNotFoundException($"item {itemId} is not in the vocabulary");
    public bool TryIndexOf(int itemId, out int index) => _indexById.TryGetValue(itemId, out index);
    public int IdAt(int index) => IdsByIndex[index];

    public static ItemVocabulary FromSessions(IEnumerable<Session> sessions) =>
        FromIds(sessions.SelectMany(s => s.Items));

    public static ItemVocabulary FromIds(IEnumerable<int> itemIds) =>
        new([0, .. itemIds.Distinct().Order()]);
}

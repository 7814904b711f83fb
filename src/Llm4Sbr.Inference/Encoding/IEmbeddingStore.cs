using LanguageExt;
using Llm4Sbr.Core.Embeddings;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>Persistent embeddings keyed by (model id, SHA-256 of the text; see <see cref="TextHash"/>).
/// Failures are values: a cache that cannot be read or written is worth a warning, not a crash.</summary>
public interface IEmbeddingStore
{
    /// <summary>The stored vectors among <paramref name="textHashes"/> for <paramref name="modelId"/>
    /// (those not stored are absent from the result).</summary>
    Fin<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> Find(string modelId, int dimension, IReadOnlyCollection<string> textHashes);

    /// <summary>Stores row <c>i</c> of <paramref name="vectors"/> under <c>textHashes[i]</c>; atomically
    /// (all rows or none become visible).</summary>
    Fin<Unit> Add(string modelId, IReadOnlyList<string> textHashes, EmbeddingMatrix vectors);
}

using Llm4Sbr.Core.Embeddings;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>Turns texts into L2-normalised embedding rows. Row <c>i</c> of the result embeds
/// <c>texts[i]</c>; equal texts get equal rows.</summary>
public interface ITextEncoder : IDisposable
{
    /// <summary>Identifies what produced the vectors (model content, pooling, token limit, casing):
    /// two encoders with the same id give the same vectors, so caches may be keyed by it.</summary>
    string ModelId { get; }

    /// <summary>Length of each embedding row.</summary>
    int Dimension { get; }

    /// <summary>Embeds <paramref name="texts"/>. <paramref name="progress"/> receives the running number
    /// of distinct texts embedded.</summary>
    EmbeddingMatrix Encode(IReadOnlyList<string> texts, IProgress<int>? progress = null, CancellationToken cancellationToken = default);
}

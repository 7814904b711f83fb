using LanguageExt;
using Llm4Sbr.Core.Embeddings;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>An <see cref="ITextEncoder"/> that asks an <see cref="IEmbeddingStore"/> first, keyed by
/// (<see cref="ITextEncoder.ModelId"/>, SHA-256 of the text), and embeds only what is missing, in
/// chunks of <c>persistEvery</c> distinct texts that are stored as they finish (an interrupted run
/// resumes after its last stored chunk). A store that fails to read or write costs a warning and
/// the recomputation, never the result. Owns and disposes the inner encoder.</summary>
public sealed class CachingTextEncoder : ITextEncoder
{
    private readonly ITextEncoder _inner;
    private readonly IEmbeddingStore _store;
    private readonly ILogger _logger;
    private readonly int _persistEvery;

    public CachingTextEncoder(ITextEncoder inner, IEmbeddingStore store, ILogger? logger = null, int persistEvery = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(persistEvery, 1);
        _inner = inner;
        _store = store;
        _logger = logger ?? NullLogger.Instance;
        _persistEvery = persistEvery;
    }

    public string ModelId => _inner.ModelId;

    public int Dimension => _inner.Dimension;

    public EmbeddingMatrix Encode(IReadOnlyList<string> texts, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var hashes = TextHash.Sha256HexAll(texts);
        var firstText = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < texts.Count; i++) firstText.TryAdd(hashes[i], i);

        var vectors = _store.Find(ModelId, Dimension, firstText.Keys).Match(
            found => new Dictionary<string, ReadOnlyMemory<float>>(found, StringComparer.Ordinal),
            error =>
            {
                _logger.LogWarning("Embedding cache unreadable, embedding everything: {Reason}", error.Message);
                return new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
            });
        int done = vectors.Count;
        progress?.Report(done);

        bool storeFailed = false;
        var missing = firstText.Where(e => !vectors.ContainsKey(e.Key)).Select(e => e.Value).Order().ToArray();
        foreach (var chunk in missing.Chunk(_persistEvery))
        {
            cancellationToken.ThrowIfCancellationRequested();
            int before = done;
            var embedded = _inner.Encode(
                chunk.Select(i => texts[i]).ToArray(),
                progress is null ? null : new SynchronousProgress<int>(n => progress.Report(before + n)),
                cancellationToken);
            var chunkHashes = chunk.Select(i => hashes[i]).ToArray();
            for (int r = 0; r < chunk.Length; r++) vectors[chunkHashes[r]] = embedded.Data.AsMemory(r * Dimension, Dimension);
            if (!storeFailed)
                _store.Add(ModelId, chunkHashes, embedded).IfFail(error =>
                {
                    storeFailed = true;
                    _logger.LogWarning("Embedding cache not written, continuing without it: {Reason}", error.Message);
                });
            done += chunk.Length;
            progress?.Report(done);
        }

        var result = EmbeddingMatrix.Create(texts.Count, Dimension);
        for (int i = 0; i < texts.Count; i++) vectors[hashes[i]].Span.CopyTo(result.Data.AsSpan(i * Dimension, Dimension));
        return result;
    }

    public void Dispose() => _inner.Dispose();
}

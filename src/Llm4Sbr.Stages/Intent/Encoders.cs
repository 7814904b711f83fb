using LanguageExt;
using Llm4Sbr.Inference.Encoding;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Stages.Intent;

/// <summary>Opens the text encoder behind the embedding cache (<c>CACHE/embeddings/</c>, keyed by
/// model id and text hash), so texts embedded by any stage or run are embedded once.</summary>
internal static class Encoders
{
    public static Fin<ITextEncoder> OpenCaching(IntentServices services, EncoderOptions options, string cacheFolder, ILogger logger) =>
        services.CreateEncoder(options, logger)
            .Map(inner => (ITextEncoder)new CachingTextEncoder(inner, new ParquetEmbeddingStore(cacheFolder, logger), logger));
}

using System.Numerics.Tensors;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>Token embeddings to one unit-norm sentence vector.</summary>
internal static class SentencePooling
{
    /// <summary>Pools the first <paramref name="tokens"/> rows of <paramref name="tokenEmbeddings"/>
    /// (rows of <paramref name="destination"/>'s length; exactly the tokens the attention mask keeps)
    /// into <paramref name="destination"/>, L2-normalised.</summary>
    public static void Pool(ReadOnlySpan<float> tokenEmbeddings, int tokens, Pooling pooling, Span<float> destination)
    {
        int hidden = destination.Length;
        tokenEmbeddings[..hidden].CopyTo(destination);
        if (pooling == Pooling.Mean)
            for (int t = 1; t < tokens; t++)
                TensorPrimitives.Add(destination, tokenEmbeddings.Slice(t * hidden, hidden), destination);
        // The mean's 1/tokens factor is dropped: normalising the sum gives the same unit vector.
        float norm = TensorPrimitives.Norm(destination);
        if (norm > 0f) TensorPrimitives.Divide(destination, norm, destination);
    }
}

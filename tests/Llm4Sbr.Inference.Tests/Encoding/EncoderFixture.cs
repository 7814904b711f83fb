using Llm4Sbr.Inference.Encoding;
using Xunit;

namespace Llm4Sbr.Inference.Tests.Encoding;

/// <summary>One built-in encoder (all-MiniLM-L6-v2) shared by a test class: loading it takes a second or two.</summary>
public sealed class EncoderFixture : IDisposable
{
    public EncoderFixture()
    {
        Encoder = TextEncoderFactory.Create(new EncoderOptions(BatchSize: 8)).Match(e => e, e => throw new InvalidOperationException(e.Message));
    }

    public ITextEncoder Encoder { get; }

    public void Dispose() => Encoder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class EncoderCollection : ICollectionFixture<EncoderFixture>
{
    public const string Name = "built-in encoder";
}

/// <summary>Titles of the Amazon Beauty catalogue kind, of varied token lengths.</summary>
internal static class SampleTitles
{
    public static readonly string[] All =
    [
        "OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce",
        "Essie Nail Polish, Ballet Slippers, 0.46 fl oz",
        "Pantene Pro-V Daily Moisture Renewal Shampoo, 12.6 Fluid Ounce",
        "Maybelline New York Great Lash Mascara, Blackest Black",
        "Neutrogena Hydro Boost Water Gel Moisturizer",
        "Shampoo",
        "",
        "WAWO 15 Color Professionl Makeup Eyeshadow Camouflage Facial Concealer Neutral Palette",
        "SKIN79 The Prestige Beblesh Balm BB Cream Diamond Collection",
        "Crème brûlée lip balm — naïve café edition ™",
        "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40",
        "supercalifragilisticexpialidocious antidisestablishmentarianism",
    ];
}

/// <summary>Wraps an encoder (without owning it) and records every batch of texts it is asked for.</summary>
internal sealed class RecordingEncoder(ITextEncoder inner) : ITextEncoder
{
    public List<string[]> Calls { get; } = [];

    public int TextsEncoded => Calls.Sum(c => c.Length);

    public string ModelId => inner.ModelId;

    public int Dimension => inner.Dimension;

    public Llm4Sbr.Core.Embeddings.EmbeddingMatrix Encode(IReadOnlyList<string> texts, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        Calls.Add(texts.ToArray());
        return inner.Encode(texts, progress, cancellationToken);
    }

    public void Dispose() { }
}

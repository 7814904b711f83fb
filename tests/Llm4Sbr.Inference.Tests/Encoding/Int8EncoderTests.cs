using Llm4Sbr.Inference.Encoding;
using Xunit;

namespace Llm4Sbr.Inference.Tests.Encoding;

/// <summary>The int8 encoder against the float32 one it is quantized from.</summary>
[Collection(EncoderCollection.Name)]
public class Int8EncoderTests(EncoderFixture fixture) : IDisposable
{
    private readonly ITextEncoder _float = fixture.Encoder;
    private readonly ITextEncoder _int8 = TextEncoderFactory.Create(new EncoderOptions(BatchSize: 8, Precision: EncoderPrecision.Int8))
        .Match(e => e, e => throw new InvalidOperationException(e.Message));

    public void Dispose() => _int8.Dispose();

    [Fact]
    public void Its_model_id_is_the_float_id_plus_the_quantizer_version()
    {
        Assert.Equal(_float.ModelId + "-" + Int8Quantizer.Version, _int8.ModelId);
        Assert.Equal(384, _int8.Dimension);
    }

    [Fact]
    public void Its_vectors_stay_close_to_the_float_vectors()
    {
        var texts = SampleTitles.All.Where(t => t.Length > 0).ToArray();
        var reference = _float.Encode(texts);
        var quantized = _int8.Encode(texts);
        var cosines = Enumerable.Range(0, texts.Length).Select(i => VectorAssert.Cosine(reference.Row(i), quantized.Row(i))).ToArray();
        Assert.All(cosines, c => Assert.True(c > 0.97, $"cosine to float32 {c:F4}"));
        Assert.True(cosines.Average() > 0.985, $"mean cosine to float32 {cosines.Average():F4}");
        // ...but not equal: the quantized model really ran.
        Assert.True(cosines.Min() < 0.99999, "int8 vectors equal the float ones");
    }

    [Fact]
    public void It_is_deterministic_and_keeps_nail_polishes_together()
    {
        string[] texts =
        [
            "OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce",
            "Essie Nail Polish, Ballet Slippers, 0.46 fl oz",
            "Pantene Pro-V Daily Moisture Renewal Shampoo, 12.6 Fluid Ounce",
        ];
        var first = _int8.Encode(texts);
        Assert.Equal(first.Data, _int8.Encode(texts).Data);
        Assert.True(VectorAssert.Cosine(first.Row(0), first.Row(1)) > VectorAssert.Cosine(first.Row(0), first.Row(2)));
    }
}

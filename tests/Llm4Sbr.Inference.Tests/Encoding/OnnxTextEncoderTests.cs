using CsCheck;
using Llm4Sbr.Inference.Encoding;
using Xunit;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Inference.Tests.Encoding;

[Collection(EncoderCollection.Name)]
public class OnnxTextEncoderTests(EncoderFixture fixture)
{
    private readonly ITextEncoder _encoder = fixture.Encoder;

    [Fact]
    public void The_built_in_model_is_MiniLM_with_384_dims_and_a_content_model_id()
    {
        Assert.Equal(384, _encoder.Dimension);
        Assert.Matches("^bert-onnx-[0-9a-f]{16}-vocab-[0-9a-f]{8}-mean-128-uncased-tok1$", _encoder.ModelId);
    }

    [Fact]
    public void Encoding_is_deterministic()
    {
        var first = _encoder.Encode(SampleTitles.All);
        var second = _encoder.Encode(SampleTitles.All);
        Assert.Equal(first.Data, second.Data);
    }

    [Fact]
    public void A_batch_gives_the_same_vectors_as_one_text_at_a_time()
    {
        var batch = _encoder.Encode(SampleTitles.All);
        for (int i = 0; i < SampleTitles.All.Length; i++)
        {
            var alone = _encoder.Encode([SampleTitles.All[i]]);
            VectorAssert.Close(alone.Row(0), batch.Row(i), 1e-5, $"'{SampleTitles.All[i]}'");
        }
    }

    [Fact]
    public void A_nail_polish_is_closer_to_another_nail_polish_than_to_a_shampoo()
    {
        var m = _encoder.Encode([
            "OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce",
            "Essie Nail Polish, Ballet Slippers, 0.46 fl oz",
            "Pantene Pro-V Daily Moisture Renewal Shampoo, 12.6 Fluid Ounce"]);
        double polishes = VectorAssert.Cosine(m.Row(0), m.Row(1));
        double polishShampoo = VectorAssert.Cosine(m.Row(0), m.Row(2));
        Assert.True(polishes > polishShampoo, $"nail polish / nail polish {polishes:F3} <= nail polish / shampoo {polishShampoo:F3}");
    }

    [Fact]
    public void Vectors_are_unit_norm_and_finite_for_any_text()
    {
        Gen.String.Array[1, 6].CheckFixed(texts =>
        {
            var m = _encoder.Encode(texts);
            Assert.Equal(texts.Length, m.Rows);
            for (int r = 0; r < m.Rows; r++)
            {
                Assert.All(m.Row(r).ToArray(), x => Assert.True(float.IsFinite(x)));
                Assert.InRange(VectorAssert.Norm(m.Row(r)), 1 - 1e-5, 1 + 1e-5);
            }
        }, iter: 8);
    }

    [Fact]
    public void Equal_texts_get_equal_rows_and_results_follow_input_order()
    {
        string[] texts = [SampleTitles.All[0], SampleTitles.All[2], SampleTitles.All[0], SampleTitles.All[5], SampleTitles.All[2]];
        var m = _encoder.Encode(texts);
        Assert.Equal(m.Row(0).ToArray(), m.Row(2).ToArray());
        Assert.Equal(m.Row(1).ToArray(), m.Row(4).ToArray());
        var reversed = _encoder.Encode(texts.Reverse().ToArray());
        for (int i = 0; i < texts.Length; i++) VectorAssert.Close(m.Row(i), reversed.Row(texts.Length - 1 - i), 1e-5, texts[i]);
    }

    [Fact]
    public void Progress_counts_distinct_texts()
    {
        var reports = new List<int>();
        _encoder.Encode([.. SampleTitles.All, .. SampleTitles.All], new SynchronousProgress<int>(reports.Add));
        Assert.Equal(SampleTitles.All.Length, reports[^1]);
        Assert.Equal(reports.Order(), reports);
    }

    [Fact]
    public void An_empty_list_gives_an_empty_matrix()
    {
        var m = _encoder.Encode([]);
        Assert.Equal(0, m.Rows);
        Assert.Equal(384, m.Dim);
    }

    [Fact]
    public void Cancellation_stops_encoding()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => _encoder.Encode(SampleTitles.All, cancellationToken: cancelled.Token));
    }
}

using Llm4Sbr.Inference.Encoding;
using Xunit;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Inference.Tests.Encoding;

[Collection(EncoderCollection.Name)]
public class CachingTextEncoderTests(EncoderFixture fixture)
{
    private readonly ITextEncoder _encoder = fixture.Encoder;

    [Fact]
    public void A_rerun_embeds_nothing_and_returns_the_same_vectors()
    {
        using var folder = new TemporaryFolder();
        var first = new RecordingEncoder(_encoder);
        var cold = new CachingTextEncoder(first, new ParquetEmbeddingStore(folder.Path)).Encode(SampleTitles.All);
        Assert.Equal(SampleTitles.All.Length, first.TextsEncoded);
        VectorAssert.Close(_encoder.Encode(SampleTitles.All).Data, cold.Data, 1e-6, "cached encoder vs plain encoder");

        var second = new RecordingEncoder(_encoder);
        var warm = new CachingTextEncoder(second, new ParquetEmbeddingStore(folder.Path)).Encode(SampleTitles.All);
        Assert.Equal(0, second.TextsEncoded);
        Assert.Equal(cold.Data, warm.Data);
    }

    [Fact]
    public void Only_new_texts_are_embedded_and_duplicates_once()
    {
        using var folder = new TemporaryFolder();
        var recorder = new RecordingEncoder(_encoder);
        var cached = new CachingTextEncoder(recorder, new ParquetEmbeddingStore(folder.Path));
        cached.Encode(SampleTitles.All[..4]);
        var all = cached.Encode([.. SampleTitles.All, .. SampleTitles.All[..6]]);
        Assert.Equal(SampleTitles.All.Length, recorder.TextsEncoded);
        Assert.Equal(SampleTitles.All[4..], recorder.Calls[1]);
        Assert.Equal(all.Row(0).ToArray(), all.Row(SampleTitles.All.Length).ToArray());
        Assert.Equal(all.Row(5).ToArray(), all.Row(SampleTitles.All.Length + 5).ToArray());
    }

    [Fact]
    public void An_interrupted_run_resumes_after_its_last_stored_chunk()
    {
        using var folder = new TemporaryFolder();
        using var stop = new CancellationTokenSource();
        var first = new RecordingEncoder(_encoder);
        // Cancel as soon as the first chunk of 4 distinct texts is done (and stored).
        var progress = new SynchronousProgress<int>(done => { if (done >= 4) stop.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new CachingTextEncoder(first, new ParquetEmbeddingStore(folder.Path), persistEvery: 4).Encode(SampleTitles.All, progress, stop.Token));
        Assert.Equal(4, first.TextsEncoded);

        var second = new RecordingEncoder(_encoder);
        var resumed = new CachingTextEncoder(second, new ParquetEmbeddingStore(folder.Path), persistEvery: 4).Encode(SampleTitles.All);
        Assert.Equal(SampleTitles.All[4..], second.Calls.SelectMany(c => c));
        VectorAssert.Close(_encoder.Encode(SampleTitles.All).Data, resumed.Data, 1e-5, "resumed vs uninterrupted");
    }

    [Fact]
    public void A_store_that_cannot_be_written_costs_a_warning_not_the_result()
    {
        using var folder = new TemporaryFolder();
        string blocked = Path.Combine(folder.Path, "a-file-not-a-folder");
        File.WriteAllText(blocked, "");
        var logger = new RecordingLogger();
        var result = new CachingTextEncoder(new RecordingEncoder(_encoder), new ParquetEmbeddingStore(blocked), logger).Encode(SampleTitles.All[..3]);
        VectorAssert.Close(_encoder.Encode(SampleTitles.All[..3]).Data, result.Data, 1e-6, "uncached fallback");
        Assert.Contains(logger.Messages, m => m.StartsWith("Warning") && m.Contains(blocked));
    }

    [Fact]
    public void The_cache_reports_the_inner_model_id_and_dimension()
    {
        using var folder = new TemporaryFolder();
        var cached = new CachingTextEncoder(new RecordingEncoder(_encoder), new ParquetEmbeddingStore(folder.Path));
        Assert.Equal(_encoder.ModelId, cached.ModelId);
        Assert.Equal(_encoder.Dimension, cached.Dimension);
    }
}

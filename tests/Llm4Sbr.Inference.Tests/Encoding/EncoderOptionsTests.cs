using Llm4Sbr.Inference.Encoding;
using Xunit;

namespace Llm4Sbr.Inference.Tests.Encoding;

/// <summary>Settings other than the default: token limit, pooling, device, and every way loading can fail.</summary>
public class EncoderOptionsTests
{
    private static ITextEncoder Create(EncoderOptions options) =>
        TextEncoderFactory.Create(options).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message));

    private static string Error(EncoderOptions options) =>
        TextEncoderFactory.Create(options).Match(e => { e.Dispose(); return "succeeded"; }, e => e.Message);

    [Fact]
    public void Truncation_keeps_the_first_MaxTokens_tokens()
    {
        using var encoder = Create(new EncoderOptions(MaxTokens: 12, Device: ExecutionDevice.Cpu));
        Assert.Contains("-mean-12-uncased-", encoder.ModelId);
        string head = "nail polish top coat quick dry glossy finish long lasting salon shine";
        var m = encoder.Encode([head, head + " plus shampoo and conditioner", "nail polish top coat"]);
        // Both long texts share their first 10 word pieces, so what follows is cut off.
        VectorAssert.Close(m.Row(0), m.Row(1), 1e-6, "texts equal up to the limit");
        Assert.True(VectorAssert.Cosine(m.Row(0), m.Row(2)) < 0.999, "a text within the limit is not cut");
    }

    [Fact]
    public void Word_pieces_are_cut_at_the_limit_even_mid_word_and_framed_by_cls_and_sep()
    {
        var options = new EncoderOptions(MaxTokens: 6);
        var files = ModelFiles.Load(options).Match(f => f, e => throw new Xunit.Sdk.XunitException(e.Message));
        var limited = WordPieceInputs.Create(files.Vocab, options, files.Source).Match(t => t, e => throw new Xunit.Sdk.XunitException(e.Message));
        var unlimited = WordPieceInputs.Create(files.Vocab, options with { MaxTokens = 512 }, files.Source).Match(t => t, e => throw new Xunit.Sdk.XunitException(e.Message));
        foreach (var text in SampleTitles.All)
        {
            var full = unlimited.Encode(text);
            var cut = limited.Encode(text);
            Assert.Equal(Math.Min(full.Length, 6), cut.Length);
            Assert.Equal(full[0], cut[0]);
            Assert.Equal(full[^1], cut[^1]);
            Assert.Equal(full[1..^1].Take(4), cut[1..^1]);
        }
        // "supercalifragilisticexpialidocious" is many pieces: the cut falls inside it.
        Assert.True(unlimited.Encode(SampleTitles.All[^1]).Length > 6);
    }

    [Fact]
    public void Uncased_tokenization_lower_cases_and_strips_accents_as_bert_uncased_does()
    {
        var options = new EncoderOptions();
        var files = ModelFiles.Load(options).Match(f => f, e => throw new Xunit.Sdk.XunitException(e.Message));
        var tokenizer = WordPieceInputs.Create(files.Vocab, options, files.Source).Match(t => t, e => throw new Xunit.Sdk.XunitException(e.Message));
        Assert.Equal(tokenizer.Encode("creme brulee cafe"), tokenizer.Encode("Crème Brûlée CAFÉ"));
        Assert.DoesNotContain(tokenizer.UnknownId, tokenizer.Encode("Crème Brûlée CAFÉ"));
    }

    [Fact]
    public void Cls_pooling_gives_other_unit_vectors_and_another_model_id()
    {
        using var mean = Create(new EncoderOptions(Device: ExecutionDevice.Cpu));
        using var cls = Create(new EncoderOptions(Pooling: Pooling.Cls, Device: ExecutionDevice.Cpu));
        Assert.NotEqual(mean.ModelId, cls.ModelId);
        var a = mean.Encode(SampleTitles.All[..3]);
        var b = cls.Encode(SampleTitles.All[..3]);
        for (int r = 0; r < 3; r++)
        {
            Assert.InRange(VectorAssert.Norm(b.Row(r)), 1 - 1e-5, 1 + 1e-5);
            Assert.True(VectorAssert.Cosine(a.Row(r), b.Row(r)) < 0.9999);
        }
    }

    [Fact]
    public void Two_encoders_of_the_same_model_and_settings_share_the_model_id()
    {
        using var a = Create(new EncoderOptions(Device: ExecutionDevice.Cpu, BatchSize: 3));
        using var b = Create(new EncoderOptions(Device: ExecutionDevice.Auto, BatchSize: 64));
        Assert.Equal(a.ModelId, b.ModelId);
    }

    [Fact]
    public void A_missing_model_file_is_an_error_naming_the_path()
    {
        string model = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "model.onnx");
        string error = Error(new EncoderOptions(ModelPath: model, VocabPath: model + ".vocab"));
        Assert.Contains(model, error);
        Assert.Contains("not found", error);
    }

    [Fact]
    public void A_model_path_without_a_vocabulary_is_an_error_saying_so()
    {
        Assert.Contains("VocabPath", Error(new EncoderOptions(ModelPath: "model.onnx")));
        Assert.Contains("ModelPath", Error(new EncoderOptions(VocabPath: "vocab.txt")));
    }

    [Fact]
    public void Bad_settings_are_errors_naming_the_valid_values()
    {
        Assert.Contains("at least 3", Error(new EncoderOptions(MaxTokens: 2)));
        Assert.Contains("at least 1", Error(new EncoderOptions(BatchSize: 0)));
        Assert.Contains("Auto, Cpu, Cuda", Error(new EncoderOptions(Device: (ExecutionDevice)7)));
        Assert.Contains("Mean, Cls", Error(new EncoderOptions(Pooling: (Pooling)7)));
    }

    [Fact]
    public void A_token_limit_beyond_the_models_positions_fails_at_load()
    {
        string error = Error(new EncoderOptions(MaxTokens: 600, Device: ExecutionDevice.Cpu));
        Assert.Contains("MaxTokens = 600", error);
    }

    [Fact]
    public void A_model_without_bert_inputs_is_an_error_naming_its_inputs()
    {
        using var files = TinyOnnxModels.Write(TinyOnnxModels.IdentityOnFloat("x"));
        string error = Error(new EncoderOptions(ModelPath: files.Model, VocabPath: files.Vocab, Device: ExecutionDevice.Cpu));
        Assert.Contains($"model {files.Model} has inputs [x: Float [2]]", error);
        Assert.Contains("expected input_ids, attention_mask and optionally token_type_ids", error);
    }

    [Fact]
    public void A_model_without_a_token_embedding_output_is_an_error_naming_its_outputs()
    {
        using var files = TinyOnnxModels.Write(TinyOnnxModels.CastIdsToFloat());
        string error = Error(new EncoderOptions(ModelPath: files.Model, VocabPath: files.Vocab, Device: ExecutionDevice.Cpu));
        Assert.Contains("has outputs [scores: Float [batch, sequence]]", error);
        Assert.Contains("[batch, sequence, hidden]", error);
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_an_error_naming_it()
    {
        using var files = TinyOnnxModels.Write("this is not a model"u8.ToArray());
        string error = Error(new EncoderOptions(ModelPath: files.Model, VocabPath: files.Vocab, Device: ExecutionDevice.Cpu));
        Assert.Contains(files.Model, error);
    }

    [Fact]
    public void A_vocabulary_that_is_not_bert_wordpiece_is_an_error_naming_the_vocabulary_file()
    {
        using var files = TinyOnnxModels.Write(TinyOnnxModels.CastIdsToFloat());
        File.WriteAllText(files.Vocab, "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n"); // no [MASK]
        string error = Error(new EncoderOptions(ModelPath: files.Model, VocabPath: files.Vocab, Device: ExecutionDevice.Cpu));
        Assert.StartsWith($"{files.Vocab} is not a BERT WordPiece vocab.txt", error);
        Assert.Contains("[MASK]", error);
    }
}

using LanguageExt;
using LanguageExt.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>Builds the ONNX text encoder; every problem (bad options, missing or malformed files, a
/// model whose inputs or outputs do not fit, a token limit the model cannot take) is an error value.</summary>
public static class TextEncoderFactory
{
    public static Fin<ITextEncoder> Create(EncoderOptions options, ILogger? logger = null)
    {
        var log = logger ?? NullLogger.Instance;
        return from valid in Validate(options)
               from files in ModelFiles.Load(options)
               from tokenizer in WordPieceInputs.Create(files.Vocab, options, options.VocabPath ?? $"the vocabulary of {files.Source}")
               from onnx in options.Precision == EncoderPrecision.Int8 ? Int8Quantizer.Quantize(files.Onnx, files.Source) : FinSucc(files.Onnx)
               from created in SessionFactory.Create(onnx, options, files.Source, log)
               from encoder in Build(created.Session, created.Device, files, tokenizer, options, log)
               select (ITextEncoder)encoder;
    }

    /// <summary>Identifies the vectors an encoder produces: the model and vocabulary content (not
    /// their paths), the pooling, the token limit, the casing, the tokenization code's version and,
    /// for int8, the quantizer's version.</summary>
    internal static string ModelIdOf(string onnxSha256, string vocabSha256, EncoderOptions options) =>
        $"bert-onnx-{onnxSha256[..16]}-vocab-{vocabSha256[..8]}-{options.Pooling.ToString().ToLowerInvariant()}-{options.MaxTokens}-{(options.LowerCase ? "uncased" : "cased")}-{WordPieceInputs.Version}"
        + (options.Precision == EncoderPrecision.Int8 ? "-" + Int8Quantizer.Version : "");

    private static Fin<Unit> Validate(EncoderOptions options)
    {
        if (!Enum.IsDefined(options.Pooling))
            return Fail($"unknown encoder pooling '{options.Pooling}'; valid: {string.Join(", ", Enum.GetNames<Pooling>())}");
        if (!Enum.IsDefined(options.Device))
            return Fail($"unknown encoder device '{options.Device}'; valid: {string.Join(", ", Enum.GetNames<ExecutionDevice>())}");
        if (options.MaxTokens < 3)
            return Fail($"encoder MaxTokens must be at least 3 ([CLS], one word piece, [SEP]), got {options.MaxTokens}");
        if (options.BatchSize < 1) return Fail($"encoder BatchSize must be at least 1, got {options.BatchSize}");
        if (options.MaxBatchTokens < 0) return Fail($"encoder MaxBatchTokens must be 0 (by device) or more, got {options.MaxBatchTokens}");
        if (options.IntraOpThreads < 0) return Fail($"encoder IntraOpThreads must be 0 (cores per worker) or more, got {options.IntraOpThreads}");
        if (!Enum.IsDefined(options.Precision))
            return Fail($"unknown encoder precision '{options.Precision}'; valid: {string.Join(", ", Enum.GetNames<EncoderPrecision>())}");
        if (options.Workers < 0) return Fail($"encoder Workers must be 0 (by device) or more, got {options.Workers}");
        return FinSucc(unit);
    }

    private static Fin<Unit> Fail(string message) => FinFail<Unit>(Error.New(message));

    private static Fin<OnnxTextEncoder> Build(
        InferenceSession session, string device, ModelFiles files, WordPieceInputs tokenizer, EncoderOptions options, ILogger logger)
    {
        var built =
            from signature in ModelSignature.Check(session.InputMetadata, session.OutputMetadata, files.Source)
            from dimension in signature.HiddenSize is int hidden ? FinSucc(hidden) : ProbeHiddenSize(session, signature, tokenizer, files.Source)
            let resolved = options with
            {
                MaxBatchTokens = options.MaxBatchTokens > 0 ? options.MaxBatchTokens
                    : device == "cuda" ? EncoderOptions.CudaBatchTokens : EncoderOptions.CpuBatchTokens,
                Workers = device == "cuda" ? Math.Max(1, options.Workers) : SessionFactory.CpuWorkers(options),
            }
            let encoder = new OnnxTextEncoder(session, tokenizer, signature, resolved,
                ModelIdOf(files.OnnxSha256, files.VocabSha256, options), dimension, device)
            from probed in ProbeLongestInput(encoder, tokenizer, options, files.Source)
            select encoder;
        built.Match(
            encoder => logger.LogInformation("Encoder: {Source}, {Dimension} dims, {Pooling} pooling, {MaxTokens} tokens, {Precision}, on {Device} ({Workers} workers); model id {ModelId}",
                files.Source, encoder.Dimension, options.Pooling, options.MaxTokens, options.Precision, device, encoder.Workers, encoder.ModelId),
            _ => session.Dispose());
        return built;
    }

    /// <summary>Runs one input of the full token limit, so a limit beyond the model's position
    /// embeddings fails here, at load, rather than on the first long text.</summary>
    private static Fin<Unit> ProbeLongestInput(OnnxTextEncoder encoder, WordPieceInputs tokenizer, EncoderOptions options, string source)
    {
        try
        {
            encoder.EncodeIds([ProbeIds(tokenizer, options.MaxTokens)], null, CancellationToken.None);
            return FinSucc(unit);
        }
        catch (OnnxRuntimeException e)
        {
            return Fail($"model {source} fails on an input of MaxTokens = {options.MaxTokens} tokens ({e.Message.Split('\n', 2)[0]}); lower MaxTokens (BERT models take at most 512)");
        }
    }

    private static Fin<int> ProbeHiddenSize(InferenceSession session, ModelSignature signature, WordPieceInputs tokenizer, string source)
    {
        var ids = ProbeIds(tokenizer, 3);
        long[] shape = [1, ids.Length];
        var values = new List<OrtValue>();
        try
        {
            values.Add(Tensor(signature, ids.Select(i => (long)i).ToArray(), shape));
            values.Add(Tensor(signature, ids.Select(_ => 1L).ToArray(), shape));
            if (signature.HasTokenTypeIds) values.Add(Tensor(signature, new long[ids.Length], shape));
            string[] names = signature.HasTokenTypeIds
                ? [ModelSignature.InputIds, ModelSignature.AttentionMask, ModelSignature.TokenTypeIds]
                : [ModelSignature.InputIds, ModelSignature.AttentionMask];
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, names, values, [signature.OutputName]);
            var outputShape = outputs[0].GetTensorTypeAndShape().Shape;
            return outputShape.Length == 3 && outputShape[2] > 0
                ? FinSucc((int)outputShape[2])
                : FinFail<int>(Error.New($"model {source} output {signature.OutputName} has shape [{string.Join(", ", outputShape)}]; expected [batch, sequence, hidden]"));
        }
        catch (OnnxRuntimeException e)
        {
            return FinFail<int>(Error.New($"model {source} fails on a 3-token probe input: {e.Message.Split('\n', 2)[0]}"));
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    private static OrtValue Tensor(ModelSignature signature, long[] values, long[] shape) =>
        signature.IdType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64
            ? OrtValue.CreateTensorValueFromMemory(values, shape)
            : OrtValue.CreateTensorValueFromMemory(values.Select(v => (int)v).ToArray(), shape);

    private static int[] ProbeIds(WordPieceInputs tokenizer, int length)
    {
        // Any in-vocabulary ids do; the [CLS]/[SEP] frame is what a real input has.
        var real = tokenizer.Encode("");
        var ids = Enumerable.Repeat(tokenizer.UnknownId, length).ToArray();
        ids[0] = real[0];
        ids[^1] = real[^1];
        return ids;
    }
}

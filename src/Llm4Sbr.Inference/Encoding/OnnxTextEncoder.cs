using System.Runtime.ExceptionServices;
using Llm4Sbr.Core.Embeddings;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>A BERT-family ONNX model as an <see cref="ITextEncoder"/>. Identical texts are embedded
/// once; the distinct ones are tokenized in parallel, sorted by token count and cut into batches
/// padded only to their own longest member. <see cref="Workers"/> lanes run batches at once on the
/// one session (ONNX Runtime's <c>Run</c> is thread-safe), each through input and output buffers
/// allocated once; batches go to whichever lane is free, and each writes its own rows of the result,
/// so the vectors do not depend on the number of lanes. Calls are serialised (each uses every lane).</summary>
internal sealed class OnnxTextEncoder : ITextEncoder
{
    private readonly InferenceSession _session;
    private readonly WordPieceInputs _tokenizer;
    private readonly EncoderOptions _options;
    private readonly RunOptions _runOptions = new();
    private readonly Lane[] _lanes;
    private readonly Lock _gate = new();

    public OnnxTextEncoder(InferenceSession session, WordPieceInputs tokenizer, ModelSignature signature, EncoderOptions options, string modelId, int dimension, string device)
    {
        _session = session;
        _tokenizer = tokenizer;
        _options = options;
        ModelId = modelId;
        Dimension = dimension;
        Device = device;
        // Batches never exceed BatchSize rows nor MaxBatchTokens padded tokens, except a single text.
        int capacity = Math.Max(options.MaxTokens, Math.Min(options.BatchSize * options.MaxTokens, options.MaxBatchTokens));
        _lanes = [.. Enumerable.Range(0, Math.Max(1, options.Workers)).Select(_ => new Lane(signature, capacity, dimension, tokenizer.PaddingId))];
    }

    public string ModelId { get; }

    public int Dimension { get; }

    /// <summary>"cuda" or "cpu": where the model runs.</summary>
    public string Device { get; }

    /// <summary>Forward passes that run at once.</summary>
    public int Workers => _lanes.Length;

    public EmbeddingMatrix Encode(IReadOnlyList<string> texts, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var (distinct, rowOf) = Distinct(texts);
        var distinctVectors = EncodeDistinct(distinct, progress, cancellationToken);
        if (distinct.Count == texts.Count) return new EmbeddingMatrix(texts.Count, Dimension, distinctVectors);
        var result = EmbeddingMatrix.Create(texts.Count, Dimension);
        for (int i = 0; i < texts.Count; i++)
            distinctVectors.AsSpan(rowOf[i] * Dimension, Dimension).CopyTo(result.Data.AsSpan(i * Dimension, Dimension));
        return result;
    }

    /// <summary>Runs token ids that are given directly (the load-time probe uses it).</summary>
    internal float[] EncodeIds(IReadOnlyList<int[]> tokenIds, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var vectors = new float[tokenIds.Count * Dimension];
        var batches = LengthSortedBatches.Plan(tokenIds.Select(t => t.Length).ToArray(), _options.BatchSize, _options.MaxBatchTokens).ToArray();
        int next = -1, done = 0;
        lock (_gate)
        {
            void Drain(Lane lane)
            {
                for (int b = Interlocked.Increment(ref next); b < batches.Length; b = Interlocked.Increment(ref next))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    lane.Run(_session, _runOptions, batches[b], tokenIds, _options.Pooling, vectors);
                    progress?.Report(Interlocked.Add(ref done, batches[b].Length));
                }
            }
            if (_lanes.Length == 1 || batches.Length == 1) Drain(_lanes[0]);
            else
            {
                try
                {
                    Parallel.ForEach(_lanes, new ParallelOptions { MaxDegreeOfParallelism = _lanes.Length }, Drain);
                }
                catch (AggregateException e)
                {
                    // Callers handle ONNX Runtime and cancellation errors as themselves, not wrapped.
                    ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                }
            }
        }
        return vectors;
    }

    private float[] EncodeDistinct(IReadOnlyList<string> texts, IProgress<int>? progress, CancellationToken cancellationToken) =>
        EncodeIds(_tokenizer.EncodeAll(texts, cancellationToken), progress, cancellationToken);

    private static (List<string> Distinct, int[] RowOf) Distinct(IReadOnlyList<string> texts)
    {
        var firstSeen = new Dictionary<string, int>(texts.Count, StringComparer.Ordinal);
        var distinct = new List<string>(texts.Count);
        var rowOf = new int[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(texts[i], $"texts[{i}]");
            if (!firstSeen.TryGetValue(texts[i], out int row))
            {
                row = distinct.Count;
                firstSeen.Add(texts[i], row);
                distinct.Add(texts[i]);
            }
            rowOf[i] = row;
        }
        return (distinct, rowOf);
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>One worker's input and output buffers, sized for the largest batch.</summary>
    private sealed class Lane
    {
        private readonly ModelSignature signature;
        private readonly int dimension;
        private readonly int paddingId;
        private readonly string[] _inputNames;
        private readonly string[] _outputNames;
        private readonly bool _int64;
        // The model takes int64 or int32 ids; only the matching set of buffers is allocated.
        private readonly long[] _ids = [], _mask = [], _types = [];
        private readonly int[] _ids32 = [], _mask32 = [], _types32 = [];
        private readonly float[] _output;

        public Lane(ModelSignature signature, int capacity, int dimension, int paddingId)
        {
            this.signature = signature;
            this.dimension = dimension;
            this.paddingId = paddingId;
            _inputNames = signature.HasTokenTypeIds
                ? [ModelSignature.InputIds, ModelSignature.AttentionMask, ModelSignature.TokenTypeIds]
                : [ModelSignature.InputIds, ModelSignature.AttentionMask];
            _outputNames = [signature.OutputName];
            _int64 = signature.IdType == TensorElementType.Int64;
            if (_int64) (_ids, _mask, _types) = (new long[capacity], new long[capacity], new long[capacity]);
            else (_ids32, _mask32, _types32) = (new int[capacity], new int[capacity], new int[capacity]);
            _output = new float[capacity * dimension];
        }

        public void Run(InferenceSession session, RunOptions runOptions, int[] batch, IReadOnlyList<int[]> tokenIds, Pooling pooling, float[] vectors)
        {
            int rows = batch.Length;
            int width = batch.Max(i => tokenIds[i].Length);
            FillInputs(batch, tokenIds, width);
            long[] inputShape = [rows, width];
            var outputMemory = _output.AsMemory(0, rows * width * dimension);
            using var ids = InputValue(_ids, _ids32, rows * width, inputShape);
            using var mask = InputValue(_mask, _mask32, rows * width, inputShape);
            using var types = signature.HasTokenTypeIds ? InputValue(_types, _types32, rows * width, inputShape) : null;
            using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, outputMemory, [rows, width, dimension]);
            OrtValue[] inputs = types is null ? [ids, mask] : [ids, mask, types];
            session.Run(runOptions, _inputNames, inputs, _outputNames, [output]);
            var tokenEmbeddings = outputMemory.Span;
            for (int r = 0; r < rows; r++)
            {
                int text = batch[r];
                SentencePooling.Pool(
                    tokenEmbeddings.Slice(r * width * dimension, width * dimension),
                    tokenIds[text].Length,
                    pooling,
                    vectors.AsSpan(text * dimension, dimension));
            }
        }

        private void FillInputs(int[] batch, IReadOnlyList<int[]> tokenIds, int width)
        {
            for (int r = 0; r < batch.Length; r++)
            {
                var ids = tokenIds[batch[r]];
                int offset = r * width;
                for (int t = 0; t < width; t++)
                {
                    bool real = t < ids.Length;
                    int id = real ? ids[t] : paddingId;
                    if (_int64)
                    {
                        _ids[offset + t] = id; _mask[offset + t] = real ? 1 : 0; _types[offset + t] = 0;
                    }
                    else
                    {
                        _ids32[offset + t] = id; _mask32[offset + t] = real ? 1 : 0; _types32[offset + t] = 0;
                    }
                }
            }
        }

        private static OrtValue InputValue(long[] int64, int[] int32, int length, long[] shape) =>
            int64.Length > 0
                ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, int64.AsMemory(0, length), shape)
                : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, int32.AsMemory(0, length), shape);
    }
}

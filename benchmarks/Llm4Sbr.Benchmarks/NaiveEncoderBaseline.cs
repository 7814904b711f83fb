using Llm4Sbr.Inference.Encoding;
using Microsoft.ML.OnnxRuntime;

namespace Llm4Sbr.Benchmarks;

/// <summary>The "before" of the encoder figures: the same model and tokenizer run the obvious way:
/// texts in file order, batches padded to their longest member, default session options, fresh
/// input and output tensors per batch, duplicates embedded again, tokenization on one thread.
/// Only for comparison, under the same machine load, with the optimised encoder.</summary>
internal sealed class NaiveEncoderBaseline : IDisposable
{
    private readonly InferenceSession _session;
    private readonly WordPieceInputs _tokenizer;
    private readonly int _batchSize;

    public NaiveEncoderBaseline(EncoderOptions options)
    {
        var files = ModelFiles.Load(options).Match(f => f, e => throw new InvalidOperationException(e.Message));
        _tokenizer = WordPieceInputs.Create(files.Vocab, options, files.Source).Match(t => t, e => throw new InvalidOperationException(e.Message));
        _session = new InferenceSession(files.Onnx);
        _batchSize = options.BatchSize;
    }

    public float[][] Encode(IReadOnlyList<string> texts)
    {
        var vectors = new List<float[]>(texts.Count);
        foreach (var batch in texts.Chunk(_batchSize))
        {
            var ids = batch.Select(_tokenizer.Encode).ToArray();
            int width = ids.Max(t => t.Length);
            var inputIds = new long[batch.Length * width];
            var mask = new long[batch.Length * width];
            for (int r = 0; r < ids.Length; r++)
                for (int t = 0; t < ids[r].Length; t++) { inputIds[r * width + t] = ids[r][t]; mask[r * width + t] = 1; }
            long[] shape = [batch.Length, width];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[batch.Length * width], shape);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [idsValue, maskValue, typesValue], ["last_hidden_state"]);
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            int dim = hidden.Length / (batch.Length * width);
            for (int r = 0; r < ids.Length; r++)
            {
                var v = new float[dim];
                for (int t = 0; t < ids[r].Length; t++)
                    for (int d = 0; d < dim; d++) v[d] += hidden[(r * width + t) * dim + d];
                float norm = MathF.Sqrt(v.Sum(x => x * x));
                for (int d = 0; d < dim; d++) v[d] /= norm;
                vectors.Add(v);
            }
        }
        return [.. vectors];
    }

    public void Dispose() => _session.Dispose();
}

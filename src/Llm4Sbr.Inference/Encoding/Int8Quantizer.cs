using System.Runtime.InteropServices;
using Google.Protobuf;
using LanguageExt;
using LanguageExt.Common;
using Onnx;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>Dynamic int8 quantization of an ONNX model's weight matrices, done here at load so that no
/// Python tooling is needed: every <c>MatMul</c> whose right operand is a 2-D float initializer (the
/// dense layers of a BERT encoder: Q, K, V, attention output and both feed-forward layers) becomes ONNX
/// Runtime's <c>com.microsoft.DynamicQuantizeMatMul</c>, which quantizes its activations per call and
/// multiplies in int8. Weights are quantized symmetrically per output column to 7 bits ([-63, 63]):
/// per column, because a few columns of BERT's weights carry outliers that a single scale would let
/// swamp the rest (measured on MiniLM: mean token cosine to fp32 0.84 per tensor, 0.99 per column);
/// 7 bits, because x86 AVX2 multiplies uint8 by int8 with 16-bit saturating pair sums
/// (VPMADDUBSW), which 8-bit weights can overflow. Attention's activation-by-activation products,
/// the embeddings and the layer norms stay in float.</summary>
internal static class Int8Quantizer
{
    /// <summary>Part of the model id: a change here must change the vectors' id.</summary>
    public const string Version = "int8-dqmm-col7-1";

    private const int MaxLevel = 63;
    private const string MicrosoftDomain = "com.microsoft";

    public static Fin<byte[]> Quantize(byte[] onnx, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(onnx);
        }
        catch (InvalidProtocolBufferException e)
        {
            return FinFail<byte[]>(Error.New($"cannot quantize encoder model {source}: not an ONNX model ({e.Message})"));
        }
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        int quantized = 0;
        for (int i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            if (node.OpType != "MatMul" || !string.IsNullOrEmpty(node.Domain) || node.Input.Count != 2) continue;
            if (!initializers.TryGetValue(node.Input[1], out var weight) || weight.Dims.Count != 2) continue;
            if (weight.DataType != (int)TensorProto.Types.DataType.Float) continue;
            var values = FloatsOf(weight);
            if (values is null) continue;
            var (levels, scales) = QuantizeColumns(values, (int)weight.Dims[0], (int)weight.Dims[1]);
            var q = Tensor(weight.Name + "_int8", TensorProto.Types.DataType.Int8, levels, weight.Dims[0], weight.Dims[1]);
            var s = Tensor(weight.Name + "_scale", TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(scales.AsSpan()).ToArray(), weight.Dims[1]);
            graph.Initializer.Add(q);
            graph.Initializer.Add(s);
            var replacement = new NodeProto { OpType = "DynamicQuantizeMatMul", Domain = MicrosoftDomain, Name = node.Name + "_int8" };
            replacement.Input.Add(node.Input[0]);
            replacement.Input.Add(q.Name);
            replacement.Input.Add(s.Name);
            replacement.Output.Add(node.Output);
            graph.Node[i] = replacement;
            quantized++;
        }
        if (quantized == 0)
            return FinFail<byte[]>(Error.New($"cannot quantize encoder model {source}: it has no MatMul with a 2-D float weight initializer (use precision fp32)"));

        // The float weights are no longer read by any node: drop them (the model shrinks by ~3/4 of their size).
        var read = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        foreach (var unused in graph.Initializer.Where(t => !read.Contains(t.Name)).ToList())
            graph.Initializer.Remove(unused);
        if (!model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        return FinSucc(model.ToByteArray());
    }

    /// <summary>Symmetric per-column quantization of a row-major [rows, columns] matrix.</summary>
    internal static (byte[] Levels, float[] Scales) QuantizeColumns(float[] values, int rows, int columns)
    {
        var scales = new float[columns];
        for (int r = 0; r < rows; r++)
        {
            var row = values.AsSpan(r * columns, columns);
            for (int c = 0; c < columns; c++) scales[c] = Math.Max(scales[c], Math.Abs(row[c]));
        }
        for (int c = 0; c < columns; c++) scales[c] = scales[c] > 0 ? scales[c] / MaxLevel : 1f;
        var levels = new byte[values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                levels[r * columns + c] = unchecked((byte)(sbyte)Math.Clamp((int)MathF.Round(values[r * columns + c] / scales[c]), -MaxLevel, MaxLevel));
        return (levels, scales);
    }

    private static float[]? FloatsOf(TensorProto tensor) =>
        tensor.DataLocation == TensorProto.Types.DataLocation.External ? null
        : !tensor.RawData.IsEmpty ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
        : tensor.FloatData.Count > 0 ? [.. tensor.FloatData]
        : null;

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, byte[] raw, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.Add(dims);
        return tensor;
    }
}

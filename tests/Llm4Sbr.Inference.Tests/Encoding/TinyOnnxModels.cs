

namespace Llm4Sbr.Inference.Tests.Encoding;

/// <summary>Hand-encoded ONNX models (protobuf ModelProto bytes) of one node each, to check how the
/// encoder rejects graphs that are not BERT-shaped, plus a minimal WordPiece vocabulary.</summary>
internal static class TinyOnnxModels
{
    private const int Float = 1, Int64 = 7;

    /// <summary><c>y = Identity(x)</c> with <c>x</c> a float [2] tensor.</summary>
    public static byte[] IdentityOnFloat(string input) =>
        Model(Graph(
            Node("Identity", [input], ["y"]),
            inputs: [ValueInfo(input, Float, [2])],
            outputs: [ValueInfo("y", Float, [2])]));

    /// <summary>BERT's inputs, but one float output of rank 2: <c>scores = Cast(input_ids)</c>.</summary>
    public static byte[] CastIdsToFloat() =>
        Model(Graph(
            Node("Cast", ["input_ids"], ["scores"], Attribute("to", Float)),
            inputs: [ValueInfo("input_ids", Int64, ["batch", "sequence"]), ValueInfo("attention_mask", Int64, ["batch", "sequence"])],
            outputs: [ValueInfo("scores", Float, ["batch", "sequence"])]));

    public static TemporaryModel Write(byte[] model)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"llm4sbr-tiny-onnx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        string modelPath = Path.Combine(folder, "model.onnx");
        string vocabPath = Path.Combine(folder, "vocab.txt");
        File.WriteAllBytes(modelPath, model);
        File.WriteAllLines(vocabPath, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "nail", "polish", "##es"]);
        return new TemporaryModel(folder, modelPath, vocabPath);
    }

    public sealed record TemporaryModel(string Folder, string Model, string Vocab) : IDisposable
    {
        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    // ModelProto: ir_version = 1, graph = 7, opset_import = 8 (OperatorSetIdProto: version = 2).
    private static byte[] Model(byte[] graph) =>
        [.. Varint(1, 8), .. Bytes(7, graph), .. Bytes(8, Varint(2, 13))];

    // GraphProto: node = 1, name = 2, input = 11, output = 12.
    private static byte[] Graph(byte[] node, byte[][] inputs, byte[][] outputs) =>
        [.. Bytes(1, node), .. String(2, "tiny"), .. inputs.SelectMany(i => Bytes(11, i)), .. outputs.SelectMany(o => Bytes(12, o))];

    // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    private static byte[] Node(string op, string[] inputs, string[] outputs, byte[]? attribute = null) =>
        [.. inputs.SelectMany(i => String(1, i)), .. outputs.SelectMany(o => String(2, o)), .. String(3, op + "_0"), .. String(4, op),
         .. attribute is null ? [] : Bytes(5, attribute)];

    // AttributeProto: name = 1, i = 3, type = 20 (INT = 2).
    private static byte[] Attribute(string name, long value) => [.. String(1, name), .. Varint(3, value), .. Varint(20, 2)];

    // ValueInfoProto: name = 1, type = 2; TypeProto: tensor_type = 1; Tensor: elem_type = 1, shape = 2;
    // TensorShapeProto: dim = 1; Dimension: dim_value = 1, dim_param = 2.
    private static byte[] ValueInfo(string name, int elementType, object[] dims)
    {
        var shape = dims.SelectMany(d => Bytes(1, d is string symbol ? String(2, symbol) : Varint(1, Convert.ToInt64(d)))).ToArray();
        var tensor = (byte[])[.. Varint(1, elementType), .. Bytes(2, shape)];
        return [.. String(1, name), .. Bytes(2, Bytes(1, tensor))];
    }

    private static byte[] String(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

    private static byte[] Bytes(int field, byte[] value) => [.. Key(field, 2), .. RawVarint((ulong)value.Length), .. value];

    private static byte[] Varint(int field, long value) => [.. Key(field, 0), .. RawVarint((ulong)value)];

    private static byte[] Key(int field, int wireType) => RawVarint((ulong)((field << 3) | wireType));

    private static byte[] RawVarint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        } while (value != 0);
        return [.. bytes];
    }
}

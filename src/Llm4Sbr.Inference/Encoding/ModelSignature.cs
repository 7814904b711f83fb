using LanguageExt;
using LanguageExt.Common;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>What the encoder needs from a BERT-family ONNX graph, checked at load: inputs
/// <c>input_ids</c> and <c>attention_mask</c> (optionally <c>token_type_ids</c>), all int64 or all
/// int32, of shape [batch, sequence]; and a float token-embedding output [batch, sequence, hidden].</summary>
internal sealed record ModelSignature(TensorElementType IdType, bool HasTokenTypeIds, string OutputName, int? HiddenSize)
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenTypeIds = "token_type_ids";

    /// <summary>Output names that hold per-token embeddings, in order of preference.</summary>
    private static readonly string[] PreferredOutputs = ["last_hidden_state", "token_embeddings"];

    public static Fin<ModelSignature> Check(
        IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, NodeMetadata> outputs, string source)
    {
        string have = $"model {source} has inputs [{Describe(inputs)}]";
        string expectedInputs = $"expected {InputIds}, {AttentionMask} and optionally {TokenTypeIds}";
        var names = inputs.Keys.ToHashSet(StringComparer.Ordinal);
        if (!names.Contains(InputIds) || !names.Contains(AttentionMask) || names.Except([InputIds, AttentionMask, TokenTypeIds]).Any())
            return Fail($"{have}; {expectedInputs}");
        foreach (var (name, meta) in inputs)
        {
            if (!meta.IsTensor || meta.Dimensions.Length != 2)
                return Fail($"{have}; input {name} must be a tensor of shape [batch, sequence]");
            if (meta.ElementDataType is not (TensorElementType.Int64 or TensorElementType.Int32))
                return Fail($"{have}; input {name} must be int64 or int32 token ids");
        }
        var idTypes = inputs.Values.Select(m => m.ElementDataType).Distinct().ToArray();
        if (idTypes.Length != 1) return Fail($"{have}; the inputs must share one element type (all int64 or all int32)");

        var tokenOutputs = outputs
            .Where(o => o.Value.IsTensor && o.Value.ElementDataType == TensorElementType.Float && o.Value.Dimensions.Length == 3)
            .Select(o => o.Key)
            .ToArray();
        if (tokenOutputs.Length == 0)
            return Fail($"model {source} has outputs [{Describe(outputs)}]; expected a float token-embedding output of shape [batch, sequence, hidden] (e.g. last_hidden_state)");
        string output = PreferredOutputs.FirstOrDefault(tokenOutputs.Contains) ?? tokenOutputs[0];
        int hidden = outputs[output].Dimensions[2];
        return FinSucc(new ModelSignature(idTypes[0], names.Contains(TokenTypeIds), output, hidden > 0 ? hidden : null));
    }

    private static Fin<ModelSignature> Fail(string message) => FinFail<ModelSignature>(Error.New(message));

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        string.Join(", ", nodes.Select(n => n.Value.IsTensor
            ? $"{n.Key}: {n.Value.ElementDataType} [{string.Join(", ", n.Value.Dimensions.Select((d, i) => d >= 0 ? d.ToString() : SymbolicName(n.Value, i)))}]"
            : $"{n.Key}: {n.Value.OnnxValueType}"));

    private static string SymbolicName(NodeMetadata meta, int axis) =>
        axis < meta.SymbolicDimensions.Length && !string.IsNullOrEmpty(meta.SymbolicDimensions[axis]) ? meta.SymbolicDimensions[axis] : "?";
}

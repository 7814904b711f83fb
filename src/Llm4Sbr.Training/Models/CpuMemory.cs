using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>Managed views of CPU tensor memory, for the fused CPU nodes (their vectorised loops read and
/// write the tensors in place).</summary>
internal static class CpuMemory
{
    /// <summary>The memory of a contiguous float32 CPU tensor.</summary>
    public static Span<float> Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(t.bytes);
}

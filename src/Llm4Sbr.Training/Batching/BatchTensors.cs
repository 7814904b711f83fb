using System.Collections.Immutable;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Batching;

/// <summary>A <see cref="GraphBatch"/> as tensors on the training device, created once per batch (one
/// tensor per array, never per sample). Create it inside the batch's dispose scope.</summary>
public sealed record BatchTensors(
    int Size,
    Tensor NodeRows,
    Tensor EdgeFrom,
    Tensor EdgeTo,
    Tensor EdgeInWeight,
    Tensor EdgeOutWeight,
    Tensor PositionNodes,
    Tensor PositionSessions,
    Tensor LastNodes,
    Tensor Targets,
    ImmutableDictionary<string, Tensor> Views)
{
    /// <summary>Copies the batch and the rows of <paramref name="views"/> it needs (those named in
    /// <paramref name="neededViews"/>) to <paramref name="device"/>.</summary>
    public static BatchTensors Create(GraphBatch batch, ViewTable views, IReadOnlyCollection<string> neededViews, Device device)
    {
        var viewTensors = ImmutableDictionary.CreateBuilder<string, Tensor>();
        foreach (var name in neededViews)
        {
            var matrix = views.Get(name).Match(m => m, e => throw new InvalidOperationException(e.Message));
            viewTensors[name] = GatherRows(matrix.Data, matrix.Dim, batch.SamplePositions, device);
        }
        return new BatchTensors(
            batch.Size,
            Long(batch.NodeRows, device),
            Long(batch.EdgeFrom, device),
            Long(batch.EdgeTo, device),
            Float(batch.EdgeInWeight, device),
            Float(batch.EdgeOutWeight, device),
            Long(batch.PositionNodes, device),
            Long(batch.PositionSessions, device),
            Long(batch.LastNodes, device),
            Long(batch.Targets, device),
            viewTensors.ToImmutable());
    }

    public static Tensor Long(long[] data, Device device) => OnDevice(tensor(data, dtype: ScalarType.Int64), device);
    public static Tensor Float(float[] data, Device device) => OnDevice(tensor(data, dtype: ScalarType.Float32), device);

    /// <summary>Rows <paramref name="rows"/> of a row-major matrix, written straight into a fresh CPU
    /// tensor's memory (no intermediate managed buffer), then moved to the device.</summary>
    public static Tensor GatherRows(float[] data, int dim, ReadOnlySpan<int> rows, Device device)
    {
        var t = empty([rows.Length, dim], ScalarType.Float32);
        var target = MemoryMarshal.Cast<byte, float>(t.bytes);
        for (int i = 0; i < rows.Length; i++)
            data.AsSpan(rows[i] * dim, dim).CopyTo(target.Slice(i * dim, dim));
        return OnDevice(t, device);
    }

    private static Tensor OnDevice(Tensor t, Device device) => device.type == DeviceType.CPU ? t : t.to(device);
}

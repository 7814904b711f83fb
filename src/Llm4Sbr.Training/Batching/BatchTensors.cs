using System.Collections.Immutable;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Batching;

/// <summary>A <see cref="GraphBatch"/> on the training device.</summary>
public sealed record GraphTensors(
    Tensor NodeRows,
    Tensor EdgeFrom,
    Tensor EdgeTo,
    Tensor EdgeInWeight,
    Tensor EdgeOutWeight,
    Tensor PositionNodes,
    Tensor PositionSessions,
    Tensor LastNodes)
{
    public static GraphTensors Create(GraphBatch g, Device device) => new(
        BatchTensors.Long(g.NodeRows, device),
        BatchTensors.Long(g.EdgeFrom, device),
        BatchTensors.Long(g.EdgeTo, device),
        BatchTensors.Float(g.EdgeInWeight, device),
        BatchTensors.Float(g.EdgeOutWeight, device),
        BatchTensors.Long(g.PositionNodes, device),
        BatchTensors.Long(g.PositionSessions, device),
        BatchTensors.Long(g.LastNodes, device));
}

/// <summary>A <see cref="TypedGraphBatch"/> on the training device (<see cref="ClickCounts"/> [B, 1]).</summary>
public sealed record TypedGraphTensors(
    Tensor NodeItems,
    Tensor NodeSessions,
    Tensor EdgeFrom,
    Tensor EdgeTo,
    Tensor EdgeTypes,
    Tensor ClickNodes,
    Tensor ClickSessions,
    Tensor ClickPositions,
    Tensor ClickCounts,
    Tensor LastNodes,
    int Size)
{
    public static TypedGraphTensors Create(TypedGraphBatch g, Device device) => new(
        BatchTensors.Long(g.NodeItems, device),
        BatchTensors.Long(g.NodeSessions, device),
        BatchTensors.Long(g.EdgeFrom, device),
        BatchTensors.Long(g.EdgeTo, device),
        BatchTensors.Long(g.EdgeTypes, device),
        BatchTensors.Long(g.ClickNodes, device),
        BatchTensors.Long(g.ClickSessions, device),
        BatchTensors.Long(g.ClickPositions, device),
        BatchTensors.Float(g.ClickCounts, device).view(g.Size, 1),
        BatchTensors.Long(g.LastNodes, device),
        g.Size);
}

/// <summary>A <see cref="SequenceBatch"/> on the training device: <see cref="Rows"/> [B, L] item-table
/// rows, <see cref="Mask"/> [B, L] 1 at real clicks, <see cref="LastPositions"/> [B] the column of each
/// row's last click, <see cref="LastRows"/> [B] that click's table row, <see cref="Lengths"/> [B] each
/// row's clicks (in CPU memory, as packing wants them), and the packed list of real clicks
/// (<see cref="PackedIndex"/>, <see cref="PackedColumns"/>, <see cref="LastPacked"/>, see <see cref="SequenceBatch"/>).</summary>
public sealed record SequenceTensors(Tensor Rows, Tensor Mask, Tensor LastPositions, Tensor LastRows, Tensor Lengths,
    Tensor PackedIndex, Tensor PackedColumns, Tensor LastPacked, int Size, int Length)
{
    public static SequenceTensors Create(SequenceBatch s, Device device) => new(
        BatchTensors.Long(s.Rows, device).view(s.Size, s.Length),
        BatchTensors.Float(s.Mask, device).view(s.Size, s.Length),
        BatchTensors.Long(s.LastPositions, device),
        BatchTensors.Long(s.LastRows, device),
        BatchTensors.Long(s.Lengths, CPU),
        BatchTensors.Long(s.PackedIndex, device),
        BatchTensors.Long(s.PackedColumns, device),
        BatchTensors.Long(s.LastPacked, device),
        s.Size, s.Length);
}

/// <summary>One batch on the training device, created once per batch (one tensor per array, never per
/// sample), holding what the model's <see cref="BatchInput"/> asks for: targets (0-based classes: dense
/// index - 1), the session graphs or padded sequences, and the rows of the views it reads. Create it
/// inside the batch's dispose scope.</summary>
public sealed record BatchTensors(
    int Size,
    Tensor Targets,
    GraphTensors? Graph,
    SequenceTensors? Sequence,
    ImmutableDictionary<string, Tensor> Views)
{
    /// <summary>The session graphs; a model that reads them declares it in its <see cref="BatchInput"/>.</summary>
    public GraphTensors Graphs => Graph ?? throw new InvalidOperationException("this batch carries no session graphs: the model's BatchInput does not ask for them");

    /// <summary>GCE-GNN's typed session graphs, when the model's <see cref="BatchInput"/> asks for them.</summary>
    public TypedGraphTensors? TypedGraph { get; init; }

    /// <summary>The typed session graphs; a model that reads them declares it in its <see cref="BatchInput"/>.</summary>
    public TypedGraphTensors TypedGraphs => TypedGraph ?? throw new InvalidOperationException("this batch carries no typed session graphs: the model's BatchInput does not ask for them");

    /// <summary>The padded sequences; a model that reads them declares it in its <see cref="BatchInput"/>.</summary>
    public SequenceTensors Sequences => Sequence ?? throw new InvalidOperationException("this batch carries no item sequences: the model's BatchInput does not ask for them");

    /// <summary>Assembles the samples at <paramref name="positions"/> of <paramref name="split"/> in the
    /// formats <paramref name="input"/> names and copies them to <paramref name="device"/>.</summary>
    public static BatchTensors Create(PreparedSampleSet samples, ViewTable views, ReadOnlySpan<int> positions, BatchInput input, Device device)
    {
        var targets = new long[positions.Length];
        for (int b = 0; b < positions.Length; b++) targets[b] = samples[positions[b]].Target - 1;
        var viewTensors = ImmutableDictionary.CreateBuilder<string, Tensor>();
        foreach (var name in input.Views)
        {
            var matrix = views.Get(name).Match(m => m, e => throw new InvalidOperationException(e.Message));
            viewTensors[name] = GatherRows(matrix.Data, matrix.Dim, positions, device);
        }
        return new BatchTensors(
            positions.Length,
            Long(targets, device),
            input.SessionGraphs ? GraphTensors.Create(GraphBatch.Assemble(samples, positions), device) : null,
            input.Sequence is { } layout ? SequenceTensors.Create(SequenceBatch.Assemble(samples, positions, layout), device) : null,
            viewTensors.ToImmutable())
        {
            TypedGraph = input.TypedSessionGraphs ? TypedGraphTensors.Create(TypedGraphBatch.Assemble(samples, positions), device) : null,
        };
    }

    /// <summary><see cref="Create(PreparedSampleSet, ViewTable, ReadOnlySpan{int}, BatchInput, Device)"/> over a split.</summary>
    public static BatchTensors Create(TrainingSplit split, ReadOnlySpan<int> positions, BatchInput input, Device device) =>
        Create(split.Samples, split.Views, positions, input, device);

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

using Llm4Sbr.Training.Batching;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>The real clicks of a padded sequence batch, packed in click order: each click's item-table
/// row, its session (0..B-1) and its position counted back from the session's last click (0 = last),
/// DHCN's reversed positions. Needs left-aligned sequences (the last click in the last column).</summary>
public sealed record PackedClicks(Tensor Rows, Tensor Sessions, Tensor ReversedPositions, Tensor Lengths)
{
    public static PackedClicks Of(SequenceTensors sequence) => new(
        sequence.Rows.view(-1).index_select(0, sequence.PackedIndex),
        sequence.PackedIndex.FloorOver(sequence.Length),
        sequence.PackedColumns.SubtractedFrom(sequence.Length - 1),
        sequence.Mask.sum(1, keepdim: true));

    /// <summary>Each session's mean of <paramref name="clickValues"/> [clicks, H] over its clicks
    /// (repeats counted, as the reference's sum over the padded row divided by the session length).</summary>
    public Tensor MeanPerSession(Tensor clickValues, int sessions) =>
        zeros([sessions, clickValues.shape[1]], clickValues.dtype, clickValues.device).IndexAdd(0, Sessions, clickValues) / Lengths;
}

/// <summary>DHCN's line-graph channel and its self-supervised term (xiaxin1998/DHCN <c>LineConv</c>,
/// <c>Data.get_overlap</c>, <c>DHCN.SSL</c>), as pure tensor functions.</summary>
public static class DhcnLineGraph
{
    /// <summary>The line graph of a batch: its sessions are the nodes, weighted by the Jaccard overlap of
    /// their distinct items |s_i n s_j| / |s_i u s_j|, with self-loops of weight 1, normalised by row
    /// degree (D^-1 A), [B, B]. The reference fills the diagonal with 0 and adds I; a session's overlap
    /// with itself is exactly 1 here, the same.</summary>
    public static Tensor Overlap(PackedClicks clicks, int sessions)
    {
        using var scope = NewDisposeScope();
        var (distinctItems, compact, _) = unique(clicks.Rows, return_inverse: true);
        var member = zeros([sessions, distinctItems.shape[0]], ScalarType.Float32, clicks.Rows.device);
        member.index_put_(ones(clicks.Rows.shape[0], ScalarType.Float32, clicks.Rows.device), clicks.Sessions, compact!);
        var shared = member.mm(member.t());                                       // |s_i n s_j|
        var sizes = member.sum(1);
        var union = sizes.unsqueeze(1).Plus(sizes.unsqueeze(0)) - shared;        // |s_i u s_j|
        var overlap = shared / union;
        return (overlap / overlap.sum(1, keepdim: true)).MoveToOuterDisposeScope();
    }

    /// <summary>The line-graph session embeddings: each session's mean item embedding (from
    /// <paramref name="itemTable"/>, the raw table), then <paramref name="layers"/> products with the
    /// normalised overlap, averaged over the <paramref name="layers"/> + 1 results (the input included).</summary>
    public static Tensor SessionEmbeddings(Tensor itemTable, PackedClicks clicks, int sessions, int layers)
    {
        var x = clicks.MeanPerSession(itemTable.index_select(0, clicks.Rows), sessions);
        var overlap = Overlap(clicks, sessions).to(x.dtype);
        var sum = x;
        for (int l = 0; l < layers; l++)
        {
            x = overlap.mm(x);
            sum = sum.Plus(x);
        }
        return sum.Over(layers + 1);
    }

    /// <summary>DHCN's contrastive term, summed over the batch:
    /// sum_b -log(1e-8 + sigmoid(h_b . l_b)) - log(1e-8 + 1 - sigmoid(l_b . h~_b)), where h~ is
    /// <paramref name="hypergraph"/> with its rows permuted by <paramref name="rowShuffle"/>, then its
    /// columns by <paramref name="columnShuffle"/> (the reference's <c>row_column_shuffle</c>).</summary>
    public static Tensor ContrastiveLoss(Tensor hypergraph, Tensor line, Tensor rowShuffle, Tensor columnShuffle)
    {
        var positive = (hypergraph * line).sum(1);
        var corrupted = hypergraph.index_select(0, rowShuffle).index_select(1, columnShuffle);
        var negative = (line * corrupted).sum(1);
        return (-log(sigmoid(positive).Plus(1e-8)) - log(sigmoid(negative).SubtractedFrom(1).Plus(1e-8))).sum();
    }
}

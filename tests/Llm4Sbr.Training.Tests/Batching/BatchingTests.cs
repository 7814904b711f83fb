using System.Collections.Immutable;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Training.Batching;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Batching;

public class BatchingTests
{
    private static readonly ItemVocabulary Vocabulary = ItemVocabulary.FromIds([10, 20, 30, 40, 50]);

    private static Sample S(long id, long session, int target, params int[] prefix) => new(id, session, SplitPart.Train, [.. prefix], target);

    [Fact]
    public void Preparation_encodes_items_with_the_vocabulary()
    {
        var set = SamplePreparation.Prepare([S(7, 1, 50, 30, 10, 30)], Vocabulary).Match(s => s, e => throw new Exception(e.Message));
        var p = set[0];
        Assert.Equal(7, p.Id);
        Assert.Equal(5, p.Target);
        Assert.Equal([1, 3], p.Graph!.Nodes.ToArray());
        Assert.Equal([1, 0, 1], p.Graph!.Alias.ToArray());
    }

    [Fact]
    public void Preparation_names_the_sample_and_the_unknown_item()
    {
        var error = SamplePreparation.Prepare([S(1, 1, 20, 10), S(2, 1, 30, 10, 99)], Vocabulary).Match(_ => "", e => e.Message);
        Assert.Contains("sample 2", error);
        Assert.Contains("99", error);
        var target = SamplePreparation.Prepare([S(3, 1, 77, 10)], Vocabulary).Match(_ => "", e => e.Message);
        Assert.Contains("target item 77", target);
        var empty = SamplePreparation.Prepare([S(4, 1, 10)], Vocabulary).Match(_ => "", e => e.Message);
        Assert.Contains("empty", empty);
    }

    [Fact]
    public void Batch_concatenates_graphs_with_node_offsets()
    {
        var set = SamplePreparation.Prepare([S(1, 1, 40, 20, 20, 10), S(2, 2, 10, 30), S(3, 3, 50, 40, 30, 40)], Vocabulary)
            .Match(s => s, e => throw new Exception(e.Message));
        var batch = GraphBatch.Assemble(set, [2, 0]);
        Assert.Equal(2, batch.Size);
        // sample 3: nodes [3, 4]; sample 1: nodes [1, 2] at offset 2; as table rows, dense index - 1.
        Assert.Equal([2L, 3, 0, 1], batch.NodeRows);
        Assert.Equal([1L, 0, 1, 3, 3, 2], batch.PositionNodes);
        Assert.Equal([0L, 0, 0, 1, 1, 1], batch.PositionSessions);
        Assert.Equal([1L, 2], batch.LastNodes);
        using (var tensors = NewDisposeScope())
            Assert.Equal([4L, 3], BatchTensors.Create(set, ViewTable.None, [2, 0], BatchInput.Graphs, CPU).Targets.data<long>().ToArray());
        // Rebuild each sample's dense adjacency from the batch's edge list: it must be the graph's.
        foreach (var (position, offset, count) in new[] { (2, 0, 2), (0, 2, 2) })
        {
            var incoming = new float[count, count];
            var outgoing = new float[count, count];
            for (int e = 0; e < batch.EdgeFrom.Length; e++)
            {
                int from = (int)batch.EdgeFrom[e] - offset, to = (int)batch.EdgeTo[e] - offset;
                if (from < 0 || from >= count) continue;
                incoming[to, from] = batch.EdgeInWeight[e];
                outgoing[from, to] = batch.EdgeOutWeight[e];
            }
            SessionGraphTests.AssertMatrix(set[position].Graph!.IncomingAdjacency(), incoming);
            SessionGraphTests.AssertMatrix(set[position].Graph!.OutgoingAdjacency(), outgoing);
        }
    }

    [Fact]
    public void Slices_cover_the_order_with_a_short_last_batch()
    {
        var order = SeededShuffle.Permutation(23, 5);
        var slices = BatchSlices.Of(order, 10).ToArray();
        Assert.Equal([10, 10, 3], slices.Select(s => s.Count));
        Assert.Equal(order, slices.SelectMany(s => s));
    }

    [Fact]
    public void Shuffle_is_a_permutation_fixed_by_seed_and_stream()
    {
        var a = SeededShuffle.Permutation(1000, 42, 1);
        Assert.Equal(Enumerable.Range(0, 1000), a.Order());
        Assert.Equal(a, SeededShuffle.Permutation(1000, 42, 1));
        Assert.NotEqual(a, SeededShuffle.Permutation(1000, 42, 2));
        Assert.NotEqual(a, SeededShuffle.Permutation(1000, 43, 1));
    }

    [Fact]
    public void Validation_takes_whole_sessions_by_seed()
    {
        var train = Enumerable.Range(0, 200).SelectMany(session =>
            Enumerable.Range(1, 1 + session % 4).Select(i => S(session * 10 + i, session, 20, 10))).ToArray();
        var (fit, validation) = ValidationSplit.Carve(train, new ValidationOptions(0.1, 7));
        var validationSessions = validation.Select(s => s.SessionId).ToHashSet();
        Assert.Equal(20, validationSessions.Count);
        Assert.DoesNotContain(fit, s => validationSessions.Contains(s.SessionId));
        Assert.Equal(train.Length, fit.Length + validation.Length);
        var again = ValidationSplit.Carve(train, new ValidationOptions(0.1, 7));
        Assert.Equal(validation.Select(s => s.Id), again.Validation.Select(s => s.Id));
        Assert.NotEqual(validationSessions, ValidationSplit.Carve(train, new ValidationOptions(0.1, 8)).Validation.Select(s => s.SessionId).ToHashSet());
        Assert.Empty(ValidationSplit.Carve(train, new ValidationOptions(0, 7)).Validation);
    }

    [Fact]
    public void Views_join_by_sample_id_whatever_their_order()
    {
        var set = SamplePreparation.Prepare([S(5, 1, 20, 10), S(9, 2, 30, 20)], Vocabulary).Match(s => s, e => throw new Exception(e.Message));
        var view = new SampleViewEmbeddings("long", [9L, 5L, 100L], new EmbeddingMatrix(3, 2, [9, 9.5f, 5, 5.5f, 1, 1]));
        var table = ViewJoin.Join(set, [view]).Match(t => t, e => throw new Exception(e.Message));
        var rows = table.Get("long").Match(m => m, e => throw new Exception(e.Message));
        Assert.Equal([5, 5.5f, 9, 9.5f], rows.Data);
        Assert.Contains("available views: long", table.Get("short").Match(_ => "", e => e.Message));

        var missing = new SampleViewEmbeddings("short", [9L], new EmbeddingMatrix(1, 2, [1, 2]));
        Assert.Contains("no vector for sample 5", ViewJoin.Join(set, [missing]).Match(_ => "", e => e.Message));
    }
}

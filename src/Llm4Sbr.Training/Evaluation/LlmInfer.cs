using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Evaluation;

/// <summary>The title embedding of each catalogue item: row i of <see cref="Vectors"/> is item <see cref="ItemIds"/>[i].</summary>
public sealed record ItemTextEmbeddings(ImmutableArray<int> ItemIds, EmbeddingMatrix Vectors);

/// <summary>Which views <c>llm-infer</c> scores with. With several views the query is the sum of the
/// views' L2-normalised vectors, so each view weighs the same whatever its norm; one view gives that
/// view alone (the per-view ablation).</summary>
public sealed record LlmInferOptions(ImmutableArray<string> Views, int BatchSize = 1000)
{
    public static readonly LlmInferOptions Default = new(["long", "short"]);
}

/// <summary><c>llm-infer</c>, the paper's "w/o SBR": no training; each sample's localized view
/// embeddings, combined as <see cref="LlmInferOptions"/> says, are dotted with every item's title
/// embedding, and the target is ranked exactly as the trained models rank it.</summary>
public static class LlmInfer
{
    public const string Version = "1";

    public static Fin<EvaluationResult> Evaluate(TrainingSplit split, ItemVocabulary vocabulary, ItemTextEmbeddings items, LlmInferOptions options, Device device, IEnumerable<int>? cutoffs = null)
    {
        if (options.Views.IsDefaultOrEmpty) return Error.New("llm-infer needs at least one view");
        return from viewMatrices in options.Views.Select(split.Views.Get).AllOrFirstError()
               from table in AlignToVocabulary(items, vocabulary).Prefixed("llm-infer")
               from result in Rank(split, viewMatrices, table, options, device, cutoffs)
               select result;
    }

    static Fin<EvaluationResult> Rank(TrainingSplit split, ImmutableArray<EmbeddingMatrix> viewMatrices, EmbeddingMatrix table, LlmInferOptions options,
        Device device, IEnumerable<int>? cutoffs)
    {
        if (viewMatrices.Any(m => m.Dim != table.Dim))
            return Error.New($"llm-infer: view dimensions ({string.Join(", ", viewMatrices.Select(m => m.Dim))}) differ from the item embedding dimension {table.Dim}");

        var accumulator = new MetricsAccumulator(cutoffs);
        var ranks = new int[split.Count];
        using var _ = no_grad();
        using var itemTensor = tensor(table.Data, [table.Rows, table.Dim], ScalarType.Float32).to(device);
        using var untitled = Untitled(itemTensor);
        var order = Enumerable.Range(0, split.Count).ToArray();
        int offset = 0;
        foreach (var slice in BatchSlices.Of(order, options.BatchSize))
        {
            using var scope = NewDisposeScope();
            var query = zeros([slice.Count, table.Dim], ScalarType.Float32, device);
            foreach (var m in viewMatrices)
                query = query.Plus(F.normalize(BatchTensors.GatherRows(m.Data, m.Dim, slice, device), 2, 1));
            var targets = BatchTensors.Long([.. slice.Select(p => (long)split.Samples[p].Target - 1)], device);
            var scores = query.mm(itemTensor.t()).FillInPlace(untitled, double.NegativeInfinity);
            foreach (var r in ModelEvaluation.BatchRanks(scores, targets)) { ranks[offset++] = r; accumulator.Add(r); }
        }
        return EvaluationResult.Of(accumulator.ToMetrics(), ImmutableArray.Create(ranks));
    }

    /// <summary>[1, n]: true for the items of <paramref name="table"/> [n, d] whose row is all zeros, the
    /// aligned table's mark of an item without a title (an encoder's title vector is never zero).
    /// Text scorers rank them below every titled item (-inf: a target without a title ranks last).</summary>
    public static Tensor Untitled(Tensor table)
    {
        using var noGrad = no_grad();
        return table.abs().sum(1).EqualTo(0).unsqueeze(0);
    }

    /// <summary>Rows for items 1..n of the vocabulary, in index order (row j = dense index j + 1). An item
    /// without a title embedding (Beauty has 7 of 12,101) gets a zero row: see <see cref="Untitled"/>;
    /// LLM2X's PCA projects it like any row (its item table row then starts at minus the mean's coordinates).</summary>
    public static Fin<EmbeddingMatrix> AlignToVocabulary(ItemTextEmbeddings items, ItemVocabulary vocabulary)
    {
        var rowById = new Dictionary<int, int>(items.ItemIds.Length);
        for (int r = 0; r < items.ItemIds.Length; r++) rowById[items.ItemIds[r]] = r;
        var table = EmbeddingMatrix.Create(vocabulary.Count, items.Vectors.Dim);
        for (int index = 1; index <= vocabulary.Count; index++)
        {
            int id = vocabulary.IdAt(index);
            if (!rowById.TryGetValue(id, out int r)) continue;      // untitled: the row stays zero
            items.Vectors.Row(r).CopyTo(table.Data.AsSpan((index - 1) * table.Dim, table.Dim));
        }
        return table;
    }
}

using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Stages.Intent.Embed;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Intent.Localize;

/// <summary>The <c>localize</c> stage's output, what training reads: per view, per sample, the
/// localized intent embedding (paper Eq. 4-5), with the top-k items it was pulled onto.
/// <para>Samples are in ascending id order (<see cref="SampleIds"/>); <see cref="RowOf"/> maps a sample id
/// to its row. <see cref="Matrix(string)"/> gives a view's embeddings as one matrix, row <c>i</c> for
/// <c>SampleIds[i]</c>. Internally the distinct vectors are stored once (<see cref="Vectors"/>) and each
/// (view, row) points at one (<see cref="VectorIds"/>): identical answers localize identically.</para>
/// <para>With <see cref="K"/> = 0 the vectors are the raw answer embeddings and there are no top items.
/// Immutable: arrays are never written after construction.</para></summary>
public sealed class ViewEmbeddings
{
    ViewEmbeddings(string modelId, int k, ImmutableArray<string> views, ImmutableArray<long> sampleIds,
        ImmutableArray<ImmutableArray<int>> vectorIds, EmbeddingMatrix vectors, ImmutableArray<int> topItemIds, ImmutableArray<float> topSimilarities)
    {
        ModelId = modelId;
        K = k;
        Views = views;
        SampleIds = sampleIds;
        VectorIds = vectorIds;
        Vectors = vectors;
        TopItemIds = topItemIds;
        TopSimilarities = topSimilarities;
    }

    /// <summary>The encoder of the answer and title embeddings.</summary>
    public string ModelId { get; }
    public int K { get; }
    public int Dim => Vectors.Dim;
    /// <summary>The views, in configured order.</summary>
    public ImmutableArray<string> Views { get; }
    /// <summary>Every sample once, ascending (train and test alike).</summary>
    public ImmutableArray<long> SampleIds { get; }
    public int Count => SampleIds.Length;
    /// <summary><c>VectorIds[v][row]</c>: the vector of view <c>Views[v]</c> for sample <c>SampleIds[row]</c>.</summary>
    public ImmutableArray<ImmutableArray<int>> VectorIds { get; }
    /// <summary>The distinct localized vectors.</summary>
    public EmbeddingMatrix Vectors { get; }
    /// <summary>Per vector, its <see cref="K"/> top item ids, most similar first.</summary>
    public ImmutableArray<int> TopItemIds { get; }
    /// <summary>Per vector, the cosine similarities of its top items, descending.</summary>
    public ImmutableArray<float> TopSimilarities { get; }

    /// <summary>Assembles the output from (sample, view) rows pointing at distinct vectors. Every sample
    /// must have every view exactly once.</summary>
    public static Fin<ViewEmbeddings> FromRows(string modelId, int k, ImmutableArray<string> views, EmbeddingMatrix vectors,
        ImmutableArray<int> topItemIds, ImmutableArray<float> topSimilarities, IReadOnlyList<VectorRow> rows)
    {
        if (k < 0) return Fail($"k = {k} is negative");
        if (topItemIds.Length != vectors.Rows * k || topSimilarities.Length != vectors.Rows * k)
            return Fail($"{topItemIds.Length} top item ids and {topSimilarities.Length} similarities for {vectors.Rows} vectors of k = {k}");
        if (views.Distinct().Count() != views.Length) return Fail($"views listed twice: {string.Join(", ", views)}");
        var viewIndex = views.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);
        var sampleIds = rows.Select(r => r.SampleId).Distinct().Order().ToImmutableArray();
        var vectorIds = views.Select(_ => Enumerable.Repeat(-1, sampleIds.Length).ToArray()).ToArray();
        foreach (var row in rows)
        {
            if (!viewIndex.TryGetValue(row.View, out var v))
                return Fail($"sample {row.SampleId} has view '{row.View}', not one of {string.Join(", ", views)}");
            if (row.Vector < 0 || row.Vector >= vectors.Rows)
                return Fail($"sample {row.SampleId} view {row.View} points at vector {row.Vector}, outside 0..{vectors.Rows - 1}");
            var r = sampleIds.BinarySearch(row.SampleId);
            if (vectorIds[v][r] >= 0) return Fail($"sample {row.SampleId} has view '{row.View}' twice");
            vectorIds[v][r] = row.Vector;
        }
        for (var v = 0; v < views.Length; v++)
        {
            var missing = System.Array.IndexOf(vectorIds[v], -1);
            if (missing >= 0) return Fail($"sample {sampleIds[missing]} has no '{views[v]}' view");
        }
        return FinSucc(new ViewEmbeddings(modelId, k, views, sampleIds,
            [.. vectorIds.Select(ids => ImmutableArray.Create(ids))], vectors, topItemIds, topSimilarities));
    }

    /// <summary>The position of <paramref name="view"/> in <see cref="Views"/>; the error lists the views.</summary>
    public Fin<int> IndexOfView(string view)
    {
        var index = Views.IndexOf(view);
        return index >= 0 ? FinSucc(index) : Fail<int>($"no view '{view}'; views: {string.Join(", ", Views)}");
    }

    /// <summary>The row of <paramref name="sampleId"/> (its position in <see cref="SampleIds"/>).</summary>
    public bool TryRowOf(long sampleId, out int row)
    {
        row = SampleIds.BinarySearch(sampleId);
        return row >= 0;
    }

    public Fin<int> RowOf(long sampleId) =>
        TryRowOf(sampleId, out var row) ? FinSucc(row) : Fail<int>($"sample {sampleId} has no intent embeddings");

    /// <summary>One view's embeddings, row <c>i</c> for sample <c>SampleIds[i]</c> (a new matrix: Count x Dim floats).</summary>
    public Fin<EmbeddingMatrix> Matrix(string view) => IndexOfView(view).Map(Matrix);

    public EmbeddingMatrix Matrix(int viewIndex)
    {
        var ids = VectorIds[viewIndex];
        var matrix = EmbeddingMatrix.Create(ids.Length, Dim);
        for (var r = 0; r < ids.Length; r++) Vectors.Row(ids[r]).CopyTo(matrix.Data.AsSpan(r * Dim, Dim));
        return matrix;
    }

    /// <summary>The localized embedding of view <paramref name="viewIndex"/> for the sample at <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> Embedding(int viewIndex, int row) => Vectors.Row(VectorIds[viewIndex][row]);

    /// <summary>The top-k item ids (most similar first) of view <paramref name="viewIndex"/> for the sample at <paramref name="row"/>.</summary>
    public ReadOnlySpan<int> TopItems(int viewIndex, int row) => TopItemIds.AsSpan().Slice(VectorIds[viewIndex][row] * K, K);

    /// <summary>The similarities of <see cref="TopItems"/>, descending.</summary>
    public ReadOnlySpan<float> TopScores(int viewIndex, int row) => TopSimilarities.AsSpan().Slice(VectorIds[viewIndex][row] * K, K);

    /// <summary>Every (sample, view) in sample order, then view order.</summary>
    public IEnumerable<VectorRow> Rows()
    {
        for (var r = 0; r < SampleIds.Length; r++)
            for (var v = 0; v < Views.Length; v++)
                yield return new VectorRow(SampleIds[r], Views[v], VectorIds[v][r]);
    }

    static Fin<ViewEmbeddings> Fail(string message) => Fail<ViewEmbeddings>(message);
    static Fin<T> Fail<T>(string message) => FinFail<T>(Error.New($"view embeddings: {message}"));
}

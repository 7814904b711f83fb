using System.Collections.Immutable;
using CsCheck;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Stages.Intent.Embed;
using Llm4Sbr.Stages.Intent.Localize;
using Llm4Sbr.Stages.Tests.Intent.Support;

namespace Llm4Sbr.Stages.Tests.Intent;

/// <summary>The typed output training reads: assembled from rows in any order, it gives each view's
/// embeddings aligned to ascending sample ids, and its Parquet files read back to the same values.</summary>
public sealed class ViewEmbeddingsTests
{
    sealed record Case(long[] SampleIds, string[] Views, int K, EmbeddingMatrix Vectors, int[] TopIds, float[] TopSims, VectorRow[] Rows);

    static readonly Gen<Case> Cases =
        from samples in Gen.Long[-1000, 1000].ArrayUnique[0, 12]
        from viewCount in Gen.Int[1, 3]
        from vectorCount in Gen.Int[1, 6]
        from dim in Gen.Int[1, 5]
        from k in Gen.Int[0, 3]
        from data in Gen.Float[-1f, 1f].Array[vectorCount * dim]
        from topIds in Gen.Int[1, 50].Array[vectorCount * k]
        from topSims in Gen.Float[-1f, 1f].Array[vectorCount * k]
        from choice in Gen.Int[0, vectorCount - 1].Array[samples.Length * viewCount]
        from order in Gen.Int.Array[samples.Length * viewCount]
        let views = new[] { "long", "short", "normal" }[..viewCount]
        let rows = samples.SelectMany((s, i) => views.Select((v, j) => new VectorRow(s, v, choice[i * viewCount + j])))
            .Zip(order, (row, position) => (row, position)).OrderBy(p => p.position).Select(p => p.row).ToArray()
        select new Case(samples, views, k, new EmbeddingMatrix(vectorCount, dim, data), topIds, topSims, rows);

    static ViewEmbeddings Build(Case c) =>
        ViewEmbeddings.FromRows("model", c.K, [.. c.Views], c.Vectors, [.. c.TopIds], [.. c.TopSims], c.Rows).Value();

    [Fact]
    public void Each_views_matrix_holds_every_samples_vector_in_ascending_sample_id_order() =>
        Cases.CheckFixed(c =>
        {
            var embeddings = Build(c);
            Assert.Equal(c.SampleIds.Order(), embeddings.SampleIds.ToArray());
            foreach (var view in c.Views)
            {
                var matrix = embeddings.Matrix(view).Value();
                var v = embeddings.IndexOfView(view).Value();
                foreach (var row in c.Rows.Where(r => r.View == view))
                {
                    var at = embeddings.RowOf(row.SampleId).Value();
                    Assert.Equal(row.SampleId, embeddings.SampleIds[at]);
                    Assert.True(matrix.Row(at).SequenceEqual(c.Vectors.Row(row.Vector)));
                    Assert.True(embeddings.TopItems(v, at).SequenceEqual(c.TopIds.AsSpan(row.Vector * c.K, c.K)));
                    Assert.True(embeddings.TopScores(v, at).SequenceEqual(c.TopSims.AsSpan(row.Vector * c.K, c.K)));
                }
            }
        });

    [Fact]
    public void The_parquet_files_read_back_to_the_same_values() =>
        Cases.CheckFixed(c =>
        {
            var embeddings = Build(c);
            var folder = Path.Combine(Path.GetTempPath(), "llm4sbr-intent-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                ViewEmbeddingsCodec.Instance.WriteAsync(embeddings, folder, CancellationToken.None).GetAwaiter().GetResult();
                var read = ViewEmbeddingsCodec.Instance.ReadAsync(folder, CancellationToken.None).GetAwaiter().GetResult().Value();
                Assert.Equal((embeddings.ModelId, embeddings.K, embeddings.Dim), (read.ModelId, read.K, read.Dim));
                Assert.Equal(embeddings.Views.ToArray(), read.Views.ToArray());
                Assert.Equal(embeddings.SampleIds.ToArray(), read.SampleIds.ToArray());
                Assert.Equal(embeddings.Rows(), read.Rows());
                Assert.Equal(embeddings.Vectors.Data, read.Vectors.Data);
                Assert.Equal(embeddings.TopItemIds.ToArray(), read.TopItemIds.ToArray());
                Assert.Equal(embeddings.TopSimilarities.ToArray(), read.TopSimilarities.ToArray());
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }, iter: 25);

    [Fact]
    public void A_sample_without_every_view_is_an_error_naming_it()
    {
        var vectors = new EmbeddingMatrix(1, 2, [1f, 0f]);
        var result = ViewEmbeddings.FromRows("model", 0, ["long", "short"], vectors, [], [],
            [new VectorRow(7, "long", 0), new VectorRow(7, "short", 0), new VectorRow(8, "long", 0)]);
        Assert.Equal("view embeddings: sample 8 has no 'short' view", result.Match(_ => "", e => e.Message));

        var twice = ViewEmbeddings.FromRows("model", 0, ["long"], vectors, [], [], [new VectorRow(7, "long", 0), new VectorRow(7, "long", 0)]);
        Assert.Equal("view embeddings: sample 7 has view 'long' twice", twice.Match(_ => "", e => e.Message));
    }
}

using CsCheck;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Models.TextInitialisation;
using Llm4Sbr.Training.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Models;

public class PrincipalComponentsTests
{
    static PrincipalComponents Fit(EmbeddingMatrix m, int k) => PrincipalComponents.Fit(m, k).Match(p => p, e => throw new Exception(e.Message));

    /// <summary>Six points mean +- 2 v1, +- 1 v2, +- 0.5 v3 with v1 = (0.8, 0.6, 0), v2 = (-0.6, 0.8, 0),
    /// v3 = (0, 0, 1): the components are v1, v2, v3 (each with its largest entry positive), the
    /// variances 8/5, 2/5, 0.5/5, and a point's coordinates its multiples of them.</summary>
    [Fact]
    public void A_matrix_with_known_axes_gives_those_axes_variances_and_coordinates()
    {
        double[] mean = [1, 2, 3];
        double[][] axes = [[0.8, 0.6, 0], [-0.6, 0.8, 0], [0, 0, 1]];
        (int Axis, double Scale)[] points = [(0, 2), (0, -2), (1, 1), (1, -1), (2, 0.5), (2, -0.5)];
        var data = new EmbeddingMatrix(6, 3, [.. points.SelectMany(p => mean.Select((m, j) => (float)(m + p.Scale * axes[p.Axis][j])))]);

        var pca = Fit(data, 3);
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(axes[c][j], pca.Components[c * 3 + j], 6);
        Assert.Equal([1.6, 0.4, 0.1], pca.Variances.Select(v => Math.Round(v, 6)));
        Assert.Equal(mean, pca.Mean.Select(v => Math.Round(v, 6)));

        var two = Fit(data, 2);
        var projected = two.Project(data);
        for (int r = 0; r < points.Length; r++)
            for (int c = 0; c < 2; c++)
                Assert.Equal(points[r].Axis == c ? points[r].Scale : 0, projected.Data[r * 2 + c], 5);
    }

    static void Close(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: {actual} differs from {expected} by more than {tolerance}");

    static readonly Gen<(EmbeddingMatrix Data, int K)> Matrices =
        from rows in Gen.Int[2, 25]
        from dim in Gen.Int[1, 7]
        from k in Gen.Int[1, Math.Min(rows, dim)]
        from values in Gen.Double[-3, 3].Select(v => (float)v).Array[rows * dim]
        select (new EmbeddingMatrix(rows, dim, values), k);

    [Fact]
    public void Components_are_orthonormal_sign_fixed_sorted_by_variance_and_reconstruct_the_data() =>
        Matrices.CheckFixed(m =>
        {
            var (data, k) = m;
            int d = data.Dim;
            var pca = Fit(data, k);
            for (int a = 0; a < k; a++)
            {
                var axis = pca.Components.AsSpan(a * d, d).ToArray();
                for (int b = 0; b < k; b++)
                {
                    double dot = 0;
                    for (int j = 0; j < d; j++) dot += axis[j] * pca.Components[b * d + j];
                    Close(a == b ? 1 : 0, dot, 1e-9, $"components {a}.{b}");
                }
                int pivot = Array.IndexOf(axis, axis.MaxBy(Math.Abs));
                Assert.True(axis[pivot] > 0, $"component {a}: its largest entry {axis[pivot]} is not positive");
                if (a > 0) Assert.True(pca.Variances[a] <= pca.Variances[a - 1] + 1e-12, "variances descend");
            }

            // Each coordinate column: mean 0, sample variance = the component's variance.
            var projected = pca.Project(data);
            for (int c = 0; c < k; c++)
            {
                var column = Enumerable.Range(0, data.Rows).Select(r => (double)projected.Data[r * k + c]).ToArray();
                Close(0, column.Average(), 1e-4, $"column {c} mean");
                Close(pca.Variances[c], column.Sum(v => v * v) / (data.Rows - 1), 1e-4 * Math.Max(1, pca.Variances[c]), $"column {c} variance");
            }

            // With every component, mean + coordinates x components is the data again.
            var full = Fit(data, Math.Min(data.Rows, d));
            if (full.Count == d)
            {
                var coordinates = full.Project(data);
                for (int r = 0; r < data.Rows; r++)
                    for (int j = 0; j < d; j++)
                    {
                        double x = full.Mean[j];
                        for (int c = 0; c < d; c++) x += coordinates.Data[r * d + c] * full.Components[c * d + j];
                        Close(data.Data[r * d + j], x, 1e-4, $"row {r} dimension {j}");
                    }
            }

            var again = Fit(data, k);
            Assert.Equal(pca.Components, again.Components);
            Assert.Equal(pca.Mean, again.Mean);
        }, iter: 60);

    [Fact]
    public void Too_many_components_or_too_few_rows_are_errors()
    {
        var data = new EmbeddingMatrix(3, 2, [1, 2, 3, 4, 5, 7]);
        Assert.Contains("at most min(rows, dimensions) = 2", PrincipalComponents.Fit(data, 3).Match(_ => "", e => e.Message));
        Assert.Contains("at least two rows", PrincipalComponents.Fit(new EmbeddingMatrix(1, 2, [1, 2]), 1).Match(_ => "", e => e.Message));
    }
}

public class ItemTextInitialisationTests
{
    const int Items = 9, Hidden = 4, TextDim = 6;

    static EmbeddingMatrix Texts(int rows = Items) =>
        new(rows, TextDim, [.. Enumerable.Range(0, rows * TextDim).Select(i => (float)Math.Sin(i * 1.7 + 0.3))]);

    public static TheoryData<string> Backbones => [.. BackboneRegistry.Names];

    static SessionModel Create(string name, ulong seed, EmbeddingMatrix? texts)
    {
        var spec = ModelRegistry.Find(name).Match(s => s, e => throw new Exception(e.Message));
        return ModelRegistry.Create(spec, Items + 1, new ModelOptions(Hidden), new Dictionary<string, int>(), seed, texts, TinyGraphs.For(Items))
            .Match(m => m, e => throw new Exception(e.Message));
    }

    [Theory]
    [MemberData(nameof(Backbones))]
    public void Llm2x_is_x_with_its_item_table_replaced_by_the_pca_coordinates_of_the_texts(string backbone)
    {
        var spec = ModelRegistry.Find($"llm2{backbone}").Match(s => s, e => throw new Exception(e.Message));
        var entry = BackboneRegistry.Find(backbone)!;
        Assert.Equal((ModelKind.Trained, backbone, $"LLM2{entry.DisplayName}", true), (spec.Kind, spec.Backbone, spec.DisplayName, spec.InitialisesItemsFromText));
        Assert.Equal(ModelRegistry.ParametersOf(ModelRegistry.Find(backbone).Match(s => s, e => throw new Exception(e.Message))).Names.ToArray(), ModelRegistry.ParametersOf(spec).Names.ToArray());

        using var scope = NewDisposeScope();
        using var plain = Create(backbone, 7, null);
        using var initialised = Create($"llm2{backbone}", 7, Texts());
        using var loadable = Create($"llm2{backbone}", 7, null);
        var expected = PrincipalComponents.Fit(Texts(), Hidden).Match(p => p, e => throw new Exception(e.Message)).Project(Texts());

        var before = plain.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray());
        bool Same(string name, Tensor p) => p.data<float>().ToArray().SequenceEqual(before[name]);
        var changed = initialised.named_parameters().Where(p => !Same(p.name, p.parameter)).Select(p => p.name).ToList();
        var table = Assert.Single(changed);
        Assert.EndsWith("embedding.weight", table);
        var values = initialised.named_parameters().Single(p => p.name == table).parameter.data<float>().ToArray();
        Assert.Equal(expected.Data, values);
        // Without texts (a checkpoint about to be loaded over it) the model is X's, seed for seed.
        Assert.All(loadable.named_parameters(), p => Assert.True(Same(p.name, p.parameter), p.name));
    }

    [Fact]
    public void Texts_that_do_not_fit_the_table_are_errors_naming_why()
    {
        var spec = ModelRegistry.Find("llm2srgnn").Match(s => s, e => throw new Exception(e.Message));
        string ErrorOf(EmbeddingMatrix texts, int hidden) => ModelRegistry.Create(spec, Items + 1, new ModelOptions(hidden), new Dictionary<string, int>(), 1, texts)
            .Match(m => { m.Dispose(); return ""; }, e => e.Message);
        Assert.Equal("model 'llm2srgnn': the item table has 9 rows, the item text embeddings 8", ErrorOf(Texts(8), Hidden));
        Assert.Contains("model 'llm2srgnn': PCA cannot give 7 components from 9 rows of 6 dimensions", ErrorOf(Texts(), 7));
    }
}

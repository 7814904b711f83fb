using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Embeddings;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.TextInitialisation;

/// <summary>Principal component analysis as scikit-learn's <c>PCA(n_components).fit_transform</c> does it
/// (what LLM2Sequential's reference code calls on the items' LLM embeddings): centre the rows on their
/// mean, take the <c>k</c> eigenvectors of the covariance with the largest eigenvalues, and project the
/// centred rows onto them, with no whitening and no rescaling. Computed in double precision on the CPU
/// (the d x d covariance, then a symmetric eigendecomposition, <c>linalg.eigh</c>): repeated fits give the same bits (tested); another BLAS thread count may move
/// the last bits of a double, far below the float32 coordinates' precision. Each component's sign is
/// fixed as scikit-learn (1.5 and later) fixes it: its entry of largest magnitude (the first such, on a
/// tie) is positive, so the eigensolver's arbitrary sign never reaches the model.</summary>
/// <param name="Mean">The rows' mean, length d.</param>
/// <param name="Components">Row-major [k, d]: row c is the c-th principal axis (unit length).</param>
/// <param name="Variances">The eigenvalue of each component (sample covariance, n - 1), descending.</param>
public sealed record PrincipalComponents(int Dim, int Count, double[] Mean, double[] Components, double[] Variances)
{
    /// <summary>The top <paramref name="components"/> principal axes of the rows of <paramref name="data"/>;
    /// an error when there are fewer rows than 2 or fewer dimensions or rows than components.</summary>
    public static Fin<PrincipalComponents> Fit(EmbeddingMatrix data, int components)
    {
        if (components < 1) return Error.New($"PCA needs at least one component, got {components}");
        if (data.Rows < 2) return Error.New($"PCA needs at least two rows, got {data.Rows}");
        if (components > data.Dim || components > data.Rows)
            return Error.New($"PCA cannot give {components} components from {data.Rows} rows of {data.Dim} dimensions (at most min(rows, dimensions) = {Math.Min(data.Rows, data.Dim)})");

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(data.Data, [data.Rows, data.Dim]).to(ScalarType.Float64);
        var mean = x.mean([0]);
        var centred = x - mean;
        var covariance = centred.t().mm(centred).Over(data.Rows - 1);
        covariance = covariance.Plus(covariance.t()).Over(2); // exactly symmetric for eigh
        var (values, vectors) = linalg.eigh(covariance);              // ascending; vectors in columns
        var order = HeldScalars.Arange(data.Dim - 1, data.Dim - 1 - components, -1, ScalarType.Int64);
        var top = vectors.index_select(1, order).t().contiguous();    // [k, d], largest eigenvalue first
        var pivots = top.abs().argmax(1, keepdim: true);               // first entry of largest magnitude
        var signs = top.gather(1, pivots).sign();
        signs = where(signs.EqualTo(0), ones_like(signs), signs);
        top = (top * signs).contiguous();
        return new PrincipalComponents(data.Dim, components,
            mean.data<double>().ToArray(), top.data<double>().ToArray(), values.index_select(0, order).data<double>().ToArray());
    }

    /// <summary>The rows of <paramref name="data"/> centred on <see cref="Mean"/> and projected onto the
    /// components: [rows, k], column c the coordinate along component c.</summary>
    public EmbeddingMatrix Project(EmbeddingMatrix data)
    {
        if (data.Dim != Dim) throw new ArgumentException($"the rows have {data.Dim} dimensions, the components {Dim}", nameof(data));
        var result = EmbeddingMatrix.Create(data.Rows, Count);
        var row = new double[Dim];
        for (int r = 0; r < data.Rows; r++)
        {
            var source = data.Row(r);
            for (int j = 0; j < Dim; j++) row[j] = source[j] - Mean[j];
            for (int c = 0; c < Count; c++)
            {
                var axis = Components.AsSpan(c * Dim, Dim);
                double sum = 0;
                for (int j = 0; j < Dim; j++) sum += row[j] * axis[j];
                result.Data[r * Count + c] = (float)sum;
            }
        }
        return result;
    }
}

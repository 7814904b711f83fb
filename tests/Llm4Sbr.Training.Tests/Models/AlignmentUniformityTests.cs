using Llm4Sbr.Training.Models;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Models;

public class AlignmentUniformityTests
{
    private static readonly double[][] X = [[1, 2, 0], [0, -1, 3], [2, 2, 2], [-1, 0.5, 0.25]];
    private static readonly double[][] Y = [[0.5, 1, 1], [3, -1, 0], [1, -2, 2], [0, 0, 1]];

    private static double[] Unit(double[] v) { double n = Math.Sqrt(v.Sum(x => x * x)); return [.. v.Select(x => x / n)]; }
    private static double SquaredDistance(double[] a, double[] b) => a.Zip(b, (p, q) => (p - q) * (p - q)).Sum();
    private static Tensor T(double[][] rows) => tensor(rows.SelectMany(r => r.Select(x => (float)x)).ToArray(), [rows.Length, rows[0].Length]);

    private static double Alignment(double[][] x, double[][] y) =>
        x.Zip(y, (a, b) => SquaredDistance(Unit(a), Unit(b))).Average();

    /// <summary>log of the mean over pairs i &lt; j of exp(-2 |x̂i - x̂j|^2).</summary>
    private static double Uniformity(double[][] x)
    {
        var terms = new List<double>();
        for (int i = 0; i < x.Length; i++)
            for (int j = i + 1; j < x.Length; j++)
                terms.Add(Math.Exp(-2 * SquaredDistance(Unit(x[i]), Unit(x[j]))));
        return Math.Log(terms.Average());
    }

    [Fact]
    public void Alignment_is_the_mean_squared_distance_of_normalised_pairs() =>
        Assert.Equal(Alignment(X, Y), AlignmentUniformity.Alignment(T(X), T(Y)).item<float>(), 5);

    [Fact]
    public void Uniformity_is_the_log_mean_gaussian_potential_over_distinct_pairs()
    {
        Assert.Equal(Uniformity(X), AlignmentUniformity.Uniformity(T(X)).item<float>(), 5);
        Assert.Equal(Uniformity(Y), AlignmentUniformity.Uniformity(T(Y)).item<float>(), 5);
    }

    [Fact]
    public void Loss_averages_the_uniformity_of_both_sides() =>
        Assert.Equal(Alignment(X, Y) + (Uniformity(X) + Uniformity(Y)) / 2,
            AlignmentUniformity.Loss(T(X), T(Y)).item<float>(), 5);

    [Fact]
    public void The_loss_of_several_pairs_is_the_sum_of_each_pairs_loss()
    {
        double[][] z = [[1, 0, 0], [0, 1, 0], [1, 1, 1], [2, -1, 0]];
        var expected = Alignment(X, Y) + (Uniformity(X) + Uniformity(Y)) / 2
                     + Alignment(Y, z) + (Uniformity(Y) + Uniformity(z)) / 2
                     + Alignment(z, X) + (Uniformity(z) + Uniformity(X)) / 2;
        Assert.Equal(expected, AlignmentUniformity.Loss([(T(X), T(Y)), (T(Y), T(z)), (T(z), T(X))]).item<float>(), 4);
    }

    [Fact]
    public void Identical_directions_align_perfectly_and_a_single_row_has_no_pairs()
    {
        var x = T(X);
        Assert.Equal(0, AlignmentUniformity.Alignment(x, x.Times(3)).item<float>(), 5);
        Assert.Equal(0, AlignmentUniformity.Uniformity(x[..1]).item<float>());
        Assert.Equal(Alignment(X[..1], Y[..1]), AlignmentUniformity.Loss(x[..1], T(Y)[..1]).item<float>(), 5);
    }

    [Theory]
    [InlineData(1, 5, 3, 1)]
    [InlineData(2, 7, 4, 2)]
    [InlineData(3, 2, 6, 3)]
    [InlineData(2, 1, 4, 4)]
    [InlineData(2, 100, 100, 5)]
    public void The_cpu_node_gives_the_composite_forms_value_and_gradients(int pairs, int rows, int dim, int seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        var x = randn([pairs, rows, dim], generator: generator);
        var y = randn([pairs, rows, dim], generator: generator).Times(3);
        if (rows > 1) y[0][1] = zeros(dim); // a zero row: F.normalize's clamped branch
        var (fastX, fastY) = (x.clone().requires_grad_(true), y.clone().requires_grad_(true));
        var (slowX, slowY) = (x.clone().requires_grad_(true), y.clone().requires_grad_(true));

        var fast = AlignmentUniformity.Loss([.. Enumerable.Range(0, pairs).Select(p => (fastX[p], fastY[p]))]).Times(0.3);
        var slow = AlignmentUniformity.Composite(slowX, slowY).Times(0.3);
        fast.backward();
        slow.backward();

        Assert.Equal(slow.item<float>(), fast.item<float>(), 4);
        AssertClose(slowX.grad!, fastX.grad!);
        AssertClose(slowY.grad!, fastY.grad!);
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        // Relative to the largest gradient: the zero row's gradient is scaled by 1 / eps.
        double scale = Math.Max(1e-6, expected.abs().max().item<float>());
        double worst = (expected - actual).abs().max().item<float>() / scale;
        Assert.True(worst < 1e-4, $"largest difference {worst:G3} of the largest gradient {scale:G3}");
    }
}

using Llm4Sbr.Training.Fitting;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Training;

public class MklAmdDispatchTests
{
    [Theory]
    [InlineData("0", true, "AuthenticAMD", true, MklDispatchOutcome.Disabled)]
    [InlineData(null, false, "AuthenticAMD", true, MklDispatchOutcome.NotApplicable)]
    [InlineData(null, true, "GenuineIntel", true, MklDispatchOutcome.NotApplicable)]
    [InlineData("1", true, "", true, MklDispatchOutcome.NotApplicable)]
    [InlineData(null, true, "AuthenticAMD", false, MklDispatchOutcome.NotApplicable)]
    public void Only_an_AMD_x64_Linux_machine_with_AVX2_and_FMA_is_patched_unless_turned_off(
        string? switchValue, bool linuxX64, string vendor, bool avx2AndFma, MklDispatchOutcome expected)
    {
        var skip = MklAmdDispatch.Precondition(switchValue, linuxX64, vendor, avx2AndFma);
        Assert.NotNull(skip);
        Assert.Equal(expected, skip.Outcome);
    }

    [Fact]
    public void An_AMD_x64_Linux_machine_with_AVX2_and_FMA_is_patched() =>
        Assert.Null(MklAmdDispatch.Precondition(null, true, "AuthenticAMD", true));

    /// <summary>On this machine: the patch applies wherever its precondition holds (twice is harmless),
    /// and matrix products through MKL, whichever path it takes, equal a double-precision reference.</summary>
    [Fact]
    public void Prepared_runtime_multiplies_matrices_correctly()
    {
        var first = TorchRuntime.Prepare();
        var second = TorchRuntime.Prepare();
        var expected = MklAmdDispatch.PreconditionHere()?.Outcome ?? MklDispatchOutcome.Applied;
        Assert.Equal(expected, first.Outcome);
        Assert.Equal(expected, second.Outcome);

        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        const int m = 37, k = 100, n = 301; // odd sizes: the kernels' edge paths too
        var a = randn([m, k], generator: generator);
        var b = randn([k, n], generator: generator);
        var product = a.matmul(b).data<float>().ToArray();
        var left = a.data<float>().ToArray();
        var right = b.data<float>().ToArray();
        double worst = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int t = 0; t < k; t++) sum += (double)left[i * k + t] * right[t * n + j];
                worst = Math.Max(worst, Math.Abs(sum - product[i * n + j]));
            }
        Assert.True(worst < 1e-3, $"largest difference from the double-precision product: {worst:G3}");
    }
}

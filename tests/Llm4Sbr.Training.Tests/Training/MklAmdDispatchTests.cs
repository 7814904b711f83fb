using Llm4Sbr.Training.Fitting;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Training;

public class MklAmdDispatchTests
{
    [Theory]
    [InlineData("0", true, "AuthenticAMD", true, NativeSettingOutcome.Disabled)]
    [InlineData(null, false, "AuthenticAMD", true, NativeSettingOutcome.NotApplicable)]
    [InlineData(null, true, "GenuineIntel", true, NativeSettingOutcome.NotApplicable)]
    [InlineData("1", true, "", true, NativeSettingOutcome.NotApplicable)]
    [InlineData(null, true, "AuthenticAMD", false, NativeSettingOutcome.NotApplicable)]
    public void Only_an_AMD_x64_Linux_machine_with_AVX2_and_FMA_is_patched_unless_turned_off(
        string? switchValue, bool linuxX64, string vendor, bool avx2AndFma, NativeSettingOutcome expected)
    {
        var skip = MklAmdDispatch.Precondition(switchValue, linuxX64, vendor, avx2AndFma);
        Assert.NotNull(skip);
        Assert.Equal(expected, skip.Outcome);
    }

    [Fact]
    public void An_AMD_x64_Linux_machine_with_AVX2_and_FMA_is_patched() =>
        Assert.Null(MklAmdDispatch.Precondition(null, true, "AuthenticAMD", true));

    [Theory]
    [InlineData(null, null, "AVX2")]
    [InlineData("1", null, "AVX2")]
    [InlineData("avx512", null, null)]
    [InlineData("AVX512", null, null)]
    [InlineData(null, "AVX512", null)]
    [InlineData(null, "AVX2", null)]
    public void Mkl_is_held_to_avx2_unless_the_user_says_otherwise(string? switchValue, string? mklInstructions, string? expected) =>
        Assert.Equal(expected, MklAmdDispatch.InstructionLimit(switchValue, mklInstructions));

    /// <summary>On this machine: the patch applies wherever its precondition holds (twice is harmless),
    /// and matrix products through MKL, whichever path it takes, equal a double-precision reference.</summary>
    [Fact]
    public void Prepared_runtime_multiplies_matrices_correctly()
    {
        var first = TorchRuntime.Prepare();
        var second = TorchRuntime.Prepare();
        var expected = MklAmdDispatch.PreconditionHere()?.Outcome ?? NativeSettingOutcome.Applied;
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

    [Fact]
    public void The_expected_prologue_is_patched_a_patched_one_left_and_unknown_bytes_left_alone_with_a_warning()
    {
        // mkl_serv_intel_cpu_true in libtorch 2.10: mov eax, [rip + cached]; test eax, eax (the offset varies by build)
        Assert.Null(MklAmdDispatch.CheckPrologue([0x8B, 0x05, 0x1A, 0x67, 0x98, 0x09, 0x85, 0xC0]));
        Assert.Equal(NativeSettingOutcome.Applied, MklAmdDispatch.CheckPrologue([0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3, 0x85, 0xC0])!.Outcome);
        var unknown = MklAmdDispatch.CheckPrologue([0x55, 0x48, 0x89, 0xE5, 0x53, 0x48, 0x83, 0xEC])!;
        Assert.Equal(NativeSettingOutcome.Failed, unknown.Outcome); // a warning in the trainer's log; training goes on
        Assert.Contains("left unpatched", unknown.Detail);
        Assert.Contains("55 48 89 E5 53 48 83 EC", unknown.Detail);
    }

    [Fact]
    public void The_dynamic_linker_is_found_in_libdl_when_the_first_library_lacks_it()
    {
        var linker = MklAmdDispatch.FindDynamicLinker(["libllm4sbr-no-such-library.so", "libdl.so.2"]);
        Assert.NotNull(linker);
        Assert.Equal("libdl.so.2", linker.Library);
        Assert.Null(MklAmdDispatch.FindDynamicLinker(["libllm4sbr-no-such-library.so"]));
    }

    [Fact]
    public void Preparing_from_many_threads_patches_once_and_all_see_that_one_outcome()
    {
        var results = new NativeSettingResult[16];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = results.Length }, i => results[i] = TorchRuntime.Prepare());
        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.NotEqual(NativeSettingOutcome.Failed, results[0].Outcome);
    }
}

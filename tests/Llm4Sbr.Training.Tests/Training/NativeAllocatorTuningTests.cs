using Llm4Sbr.Training.Fitting;
using Xunit;

namespace Llm4Sbr.Training.Tests.Training;

public class NativeAllocatorTuningTests
{
    static Func<string, string?> Environment(params (string Name, string Value)[] set) =>
        name => set.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Linux_without_malloc_settings_of_the_users_is_tuned() =>
        Assert.Null(NativeAllocatorTuning.Precondition(null, linux: true, Environment()));

    [Fact]
    public void The_switch_turns_it_off() =>
        Assert.Equal(NativeSettingOutcome.Disabled, NativeAllocatorTuning.Precondition("0", true, Environment())?.Outcome);

    [Fact]
    public void Only_linux_is_tuned() =>
        Assert.Equal(NativeSettingOutcome.NotApplicable, NativeAllocatorTuning.Precondition(null, linux: false, Environment())?.Outcome);

    [Theory]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "1048576")]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "0")]
    [InlineData("GLIBC_TUNABLES", "glibc.pthread.rseq=0:glibc.malloc.arena_max=2")]
    public void The_users_own_malloc_settings_stand(string name, string value)
    {
        var skip = NativeAllocatorTuning.Precondition(null, true, Environment((name, value)));
        Assert.Equal(NativeSettingOutcome.NotApplicable, skip?.Outcome);
        Assert.Contains(name, skip!.Detail);
    }

    [Fact]
    public void Tunables_for_other_parts_of_glibc_leave_it_on() =>
        Assert.Null(NativeAllocatorTuning.Precondition(null, true, Environment(("GLIBC_TUNABLES", "glibc.pthread.rseq=0"))));

    /// <summary>On this machine (glibc Linux): mallopt takes both thresholds, once per process.</summary>
    [Fact]
    public void The_c_library_takes_the_thresholds_here()
    {
        var expected = NativeAllocatorTuning.PreconditionHere()?.Outcome ?? NativeSettingOutcome.Applied;
        var first = NativeAllocatorTuning.Apply();
        Assert.Equal(expected, first.Outcome);
        Assert.Same(first, NativeAllocatorTuning.Apply());
    }
}

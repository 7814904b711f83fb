using System.Runtime.InteropServices;

namespace Llm4Sbr.Training.Fitting;

/// <summary>Keeps glibc's malloc from handing the tensors' memory back to the kernel between training
/// steps: blocks up to 32 MiB come from the heap instead of fresh mappings (<c>M_MMAP_THRESHOLD</c>), and
/// freed heap memory is kept for reuse instead of trimmed (<c>M_TRIM_THRESHOLD</c> 1 GiB).
/// <para>Why: libtorch's CPU allocator is plain malloc, and a step allocates and frees tables of the
/// item catalogue's size (Beauty: [12,101, 100] floats, 4.8 MB; scores [100, 12,101]) over and over.
/// By default glibc maps such blocks afresh, or trims them off the heap when freed, so the next step
/// faults every page back in and the kernel zeroes it: measured on Beauty (2 cores,
/// <c>Llm4Sbr.Training.Bench steps=60 epochs=0 eval=0 models=srgnn,dhcn</c>, the same process once with
/// and once without the two settings, 2026-12-02), SR-GNN's step 16.5-17.5 ms -> 14.6-15.5 ms and DHCN's
/// 66-69 ms -> 49-52 ms (its convolution writes five such tables a step). Setting only one of the two is
/// worse than neither (either turns off glibc's own adaptive threshold): both, or nothing.</para>
/// <para>Cost: freed memory stays with the process for reuse, so its resident peak can grow: the
/// README's main job (MovieLens, fresh cache) peaked at 1.38-1.95 GB in four runs against 1.57 GB
/// in one without (wall 2:05-2:16 against 2:21); the Beauty benchmark at 2.04-2.11 GB either way.
/// Results are unchanged: only where memory comes from. The user's own malloc settings
/// (<c>GLIBC_TUNABLES</c> with <c>glibc.malloc.</c>, <c>MALLOC_MMAP_THRESHOLD_</c>,
/// <c>MALLOC_TRIM_THRESHOLD_</c>) win, and <c>LLM4SBR_RETAIN_FREED_MEMORY=0</c> turns this off.</para></summary>
public static class NativeAllocatorTuning
{
    public const string SwitchVariable = "LLM4SBR_RETAIN_FREED_MEMORY";
    /// <summary>glibc's largest accepted mmap threshold on 64-bit (half its 64 MiB arena heap).</summary>
    public const int MmapThreshold = 32 << 20;
    public const int TrimThreshold = 1 << 30;
    private const int MTrimThreshold = -1, MMmapThreshold = -3;                  // <malloc.h>
    private static readonly string[] UserSettings = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"];

    private static readonly Lazy<NativeSettingResult> Once = new(() => PreconditionHere() ?? Tune(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Applies the two settings once per process (every call returns that first outcome). Call
    /// it from the shell, where torch work starts; it never throws.</summary>
    public static NativeSettingResult Apply() => Once.Value;

    /// <summary><see cref="Precondition"/> for this process.</summary>
    public static NativeSettingResult? PreconditionHere() =>
        Precondition(Environment.GetEnvironmentVariable(SwitchVariable), OperatingSystem.IsLinux(), Environment.GetEnvironmentVariable);

    /// <summary>Why not to tune (null: go ahead), from the switch, the platform and the environment. Pure.</summary>
    public static NativeSettingResult? Precondition(string? switchValue, bool linux, Func<string, string?> environment) =>
        switchValue == "0" ? new(NativeSettingOutcome.Disabled, $"{SwitchVariable}=0: malloc keeps its own thresholds")
        : !linux ? new(NativeSettingOutcome.NotApplicable, "not Linux")
        : UserSettings.FirstOrDefault(name => environment(name) is not null) is { } set
            ? new(NativeSettingOutcome.NotApplicable, $"{set} is set: the user's malloc settings stand")
        : environment("GLIBC_TUNABLES") is { } tunables && tunables.Contains("glibc.malloc.", StringComparison.Ordinal)
            ? new(NativeSettingOutcome.NotApplicable, "GLIBC_TUNABLES sets malloc: the user's malloc settings stand")
        : null;

    private static NativeSettingResult Tune()
    {
        try
        {
            // The trim threshold first: with only the mmap one set, freed blocks would still be trimmed.
            if (mallopt(MTrimThreshold, TrimThreshold) != 1 || mallopt(MMmapThreshold, MmapThreshold) != 1)
                return new(NativeSettingOutcome.Failed, "mallopt refused the thresholds; malloc keeps its own");
            return new(NativeSettingOutcome.Applied, $"malloc keeps freed memory for reuse (mmap threshold {MmapThreshold >> 20} MiB, trim threshold {TrimThreshold >> 20} MiB)");
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return new(NativeSettingOutcome.Failed, $"no mallopt in the C library ({e.Message}); malloc keeps its own thresholds");
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}

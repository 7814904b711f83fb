using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Fitting;

/// <summary>Process-wide settings of the native torch runtime (an edge concern: call from the shell).</summary>
public static class TorchRuntime
{
    /// <summary>Readies the native runtime for work, in order: passive OpenMP waiting (effective only if
    /// torch is not loaded yet), malloc's thresholds (<see cref="NativeAllocatorTuning"/>), torch loaded,
    /// then MKL's AMD dispatch (<see cref="MklAmdDispatch"/>),
    /// which must precede the first matrix product to matter. Idempotent and cheap: call it where
    /// torch work starts (training, benchmarks, loading a checkpoint).</summary>
    public static NativeSettingResult Prepare()
    {
        PreferPassiveThreadWaiting();
        _ = NativeAllocatorTuning.Apply();
        _ = get_num_threads(); // loads libtorch (and with it MKL), runs no kernel
        return MklAmdDispatch.Apply();
    }

    /// <summary>Asks OpenMP (libgomp, which libtorch's CPU kernels use) to let idle worker threads sleep
    /// instead of spinning, unless the user set <c>OMP_WAIT_POLICY</c> already. On a machine whose cores
    /// are shared with other busy processes, spinning workers wait on descheduled siblings: measured here
    /// (2 cores, load ~15), one SR-GNN step took 1.5 s with 2 spinning threads, 0.19 s with 2 passive
    /// ones and 0.20 s with 1 thread. libgomp reads the variable once, when libtorch is loaded, so this
    /// only takes effect if called before the process's first torch call; later calls change nothing.</summary>
    public static void PreferPassiveThreadWaiting()
    {
        const string name = "OMP_WAIT_POLICY";
        // The user's own OpenMP waiting settings win (GOMP_SPINCOUNT only counts without a PASSIVE policy).
        if (Environment.GetEnvironmentVariable(name) is not null || Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null) return;
        Environment.SetEnvironmentVariable(name, "PASSIVE");
        // On Unix the managed environment is a copy; native code (libgomp) reads the C environment.
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = SetNativeEnvironment(name, "PASSIVE", 0);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetNativeEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}

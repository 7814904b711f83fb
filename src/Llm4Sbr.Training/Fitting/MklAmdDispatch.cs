using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Llm4Sbr.Training.Fitting;

/// <summary>What <see cref="MklAmdDispatch.Apply"/> did.</summary>
public enum MklDispatchOutcome
{
    /// <summary>MKL now takes its AVX2 paths on this AMD processor.</summary>
    Applied,
    /// <summary>Not needed or not possible here (not Linux x64, not AMD, no AVX2/FMA, MKL not in libtorch).</summary>
    NotApplicable,
    /// <summary>Turned off by the user (<see cref="MklAmdDispatch.SwitchVariable"/> = 0).</summary>
    Disabled,
    /// <summary>The patch could not be written (memory protection refused); MKL keeps its generic path.</summary>
    Failed,
}

/// <summary>The outcome and a sentence for the log.</summary>
public sealed record MklDispatchResult(MklDispatchOutcome Outcome, string Detail);

/// <summary>Lets the MKL inside libtorch use its AVX2 kernels on AMD processors.
/// <para>Why: MKL picks its code path with <c>mkl_serv_intel_cpu_true()</c>; on any non-Intel CPU it
/// returns 0 and MKL falls back to generic ("def") kernels, even where the CPU has AVX2 and FMA. Here
/// (AMD EPYC Zen 3) that made SGEMM, half of an SR-GNN step, about 1.6x slower than MKL's AVX2
/// kernels: the step went from 42-44 ms to 32-37 ms. The cure the MKL community uses is an
/// <c>LD_PRELOAD</c> shim returning 1, which needs a compiled library and a variable set before the
/// process starts; this does the same from inside the process: after libtorch is loaded and before
/// the first matrix product, it overwrites that function's first instructions with <c>mov eax, 1;
/// ret</c> (the page is made writable for the six bytes and then restored to read + execute). MKL
/// still chooses among its Intel paths by the CPU's feature flags, so it only takes kernels the CPU
/// has (AVX2 and FMA are checked first here).</para>
/// <para>Set <c>LLM4SBR_MKL_AMD_KERNELS=0</c> to keep MKL's own choice. Results stay deterministic on a
/// given machine; they can differ in the last bits from runs with the generic kernels.</para></summary>
public static class MklAmdDispatch
{
    public const string SwitchVariable = "LLM4SBR_MKL_AMD_KERNELS";
    private const string Library = "libtorch_cpu.so";
    private const string VendorCheck = "mkl_serv_intel_cpu_true";
    private static readonly byte[] ReturnOne = [0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3]; // mov eax, 1; ret

    /// <summary>Patches MKL's vendor check if this is an AMD x64 Linux machine with AVX2 and FMA and
    /// libtorch (with MKL) is loaded. Call once, after torch is loaded, before any training; calling
    /// again is harmless (the bytes are already in place).</summary>
    public static MklDispatchResult Apply() => PreconditionHere() ?? Patch();

    /// <summary><see cref="Precondition"/> for this process and machine.</summary>
    public static MklDispatchResult? PreconditionHere() =>
        Precondition(Environment.GetEnvironmentVariable(SwitchVariable),
            OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64,
            X86Base.IsSupported ? Vendor() : "", Avx2.IsSupported && Fma.IsSupported);

    /// <summary>Why not to patch (null: go ahead), from the switch's value and the machine. Pure.</summary>
    public static MklDispatchResult? Precondition(string? switchValue, bool linuxX64, string cpuVendor, bool avx2AndFma) =>
        switchValue == "0" ? new(MklDispatchOutcome.Disabled, $"{SwitchVariable}=0: MKL keeps its own kernel choice")
        : !linuxX64 ? new(MklDispatchOutcome.NotApplicable, "not x64 Linux")
        : cpuVendor != "AuthenticAMD" ? new(MklDispatchOutcome.NotApplicable, $"not an AMD processor ({cpuVendor}): MKL's own dispatch is right")
        : !avx2AndFma ? new(MklDispatchOutcome.NotApplicable, "the processor lacks AVX2 or FMA")
        : null;

    private static MklDispatchResult Patch()
    {
        nint library = dlopen(Library, RtldLazy | RtldNoLoad);
        if (library == 0) return new(MklDispatchOutcome.NotApplicable, $"{Library} is not loaded");
        try
        {
            nint function = dlsym(library, VendorCheck);
            if (function == 0) return new(MklDispatchOutcome.NotApplicable, $"{Library} has no {VendorCheck} (no MKL inside)");
            return Overwrite(function, ReturnOne) is { } problem
                ? new(MklDispatchOutcome.Failed, $"{VendorCheck}: {problem}")
                : new(MklDispatchOutcome.Applied, "MKL uses its AVX2 kernels on this AMD processor");
        }
        finally
        {
            _ = dlclose(library);
        }
    }

    private static string Vendor()
    {
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<byte> name = stackalloc byte[12];
        BitConverter.TryWriteBytes(name, ebx);
        BitConverter.TryWriteBytes(name[4..], edx);
        BitConverter.TryWriteBytes(name[8..], ecx);
        return Encoding.ASCII.GetString(name);
    }

    /// <summary>Writes <paramref name="code"/> at <paramref name="address"/>; null on success, else what failed.</summary>
    private static string? Overwrite(nint address, byte[] code)
    {
        var current = new byte[code.Length];
        Marshal.Copy(address, current, 0, current.Length);
        if (current.AsSpan().SequenceEqual(code)) return null;
        long page = Environment.SystemPageSize;
        nint start = (nint)((long)address & ~(page - 1));
        nint length = (nint)((long)address + code.Length - (long)start);
        // Read + write + execute while writing: another thread running code on the same page must not fault.
        if (mprotect(start, length, ProtRead | ProtWrite | ProtExec) != 0)
            return $"the page could not be made writable (errno {Marshal.GetLastPInvokeError()}); MKL keeps its generic kernels";
        Marshal.Copy(code, 0, address, code.Length);
        return mprotect(start, length, ProtRead | ProtExec) == 0
            ? null
            : $"patched, but the page could not be made read-only again (errno {Marshal.GetLastPInvokeError()})";
    }

    private const int RtldLazy = 0x1, RtldNoLoad = 0x4;
    private const int ProtRead = 0x1, ProtWrite = 0x2, ProtExec = 0x4;

    [DllImport("libc", SetLastError = true)]
    private static extern nint dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libc")]
    private static extern nint dlsym(nint handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string symbol);

    [DllImport("libc")]
    private static extern int dlclose(nint handle);

    [DllImport("libc", SetLastError = true)]
    private static extern int mprotect(nint address, nint length, int protection);
}

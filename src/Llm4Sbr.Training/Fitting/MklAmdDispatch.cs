using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Llm4Sbr.Training.Fitting;

/// <summary>Lets the MKL inside libtorch use its AVX2 and AVX-512 kernels on AMD processors.
/// <para>Why: MKL picks its code path with <c>mkl_serv_intel_cpu_true()</c>; on any non-Intel CPU it
/// returns 0 and MKL falls back to generic ("def") kernels, even where the CPU has AVX2 and FMA. Here
/// (AMD EPYC Zen 3) that made SGEMM, half of an SR-GNN step, about 1.6x slower than MKL's AVX2
/// kernels: the step went from 42-44 ms to 32-37 ms. The cure the MKL community uses is an
/// <c>LD_PRELOAD</c> shim returning 1, which needs a compiled library and a variable set before the
/// process starts; this does the same from inside the process: after libtorch is loaded and before
/// the first matrix product, it overwrites that function's first instructions with <c>mov eax, 1;
/// ret</c> (the page is made writable for the six bytes and then restored to read + execute). MKL
/// still chooses among its Intel paths by the CPU's feature flags, so it only takes kernels the CPU
/// has (AVX2 and FMA are checked first here), on a host with AVX-512 (Zen 4 and 5) its AVX-512 ones
/// unless held to AVX2 (below). Measured 2026-12-02 on such a host (<c>Bench mode=gemm</c>, [850, 100] x
/// [100, 12,101]): 112 GFLOP/s unpatched, 178-186 with AVX2 kernels, 306-341 with AVX-512 ones.</para>
/// <para>Safety: the patch runs once per process (every caller gets that one outcome), writes only over
/// the prologue this libtorch's MKL has (<c>mov eax, [rip+cached]; test eax, eax</c>) and otherwise
/// leaves the code alone, and never throws: whatever goes wrong is an outcome, and training goes on.
/// <c>dlopen</c>/<c>dlsym</c> are looked up in libc, or in libdl.so.2 where libc lacks them (glibc
/// before 2.34).</para>
/// <para>Reproducibility: MKL is then held to its AVX2 kernels (<c>mkl_enable_instructions</c>, before its
/// first product). On an AMD host with AVX-512 (Zen 5 flags, 2026-12-02) its AVX-512 kernels gave the same
/// batch different scores in about one process in ten (2 and 3 of 30 processes, each process consistent
/// with itself over 200 repeats; a TAGNN fit's first loss differed in the last bit in 3 of 6), so a fit or
/// a resumed fit could not be repeated bit for bit; held to AVX2, 30 of 30 agreed, as without the patch
/// or with <c>MKL_ENABLE_INSTRUCTIONS=AVX2</c>. The cost: [850, 100] x [100, 12,101] at 178-186 GFLOP/s
/// against 306-341, a TAGNN step ~25 % slower, an SR-GNN epoch through the product ~20 % (33.3 against
/// 27.9 s).
/// <c>LLM4SBR_MKL_AMD_KERNELS=avx512</c> lets MKL take AVX-512 (faster, not repeatable across
/// processes); a user's own <c>MKL_ENABLE_INSTRUCTIONS</c> wins over both.</para>
/// <para>Set <c>LLM4SBR_MKL_AMD_KERNELS=0</c> to keep MKL's own choice. Held to AVX2 (or unpatched), results
/// repeat across processes on a given machine; they can differ in the last bits from runs with other
/// kernels.</para></summary>
public static class MklAmdDispatch
{
    public const string SwitchVariable = "LLM4SBR_MKL_AMD_KERNELS";
    private const string Library = "libtorch_cpu.so";
    private const string VendorCheck = "mkl_serv_intel_cpu_true";
    private static readonly byte[] ReturnOne = [0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3]; // mov eax, 1; ret
    private static readonly string[] DynamicLinkerLibraries = ["libc.so.6", "libdl.so.2"];

    // The process's one patch: two threads must not interleave the mprotect and the write.
    private static readonly Lazy<NativeSettingResult> Once = new(() => PreconditionHere() ?? Patch(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Patches MKL's vendor check if this is an AMD x64 Linux machine with AVX2 and FMA and
    /// libtorch (with MKL) is loaded; once per process, after torch is loaded, before any training.
    /// Every call returns that first outcome.</summary>
    public static NativeSettingResult Apply() => Once.Value;

    /// <summary>What to do given the first bytes of <c>mkl_serv_intel_cpu_true</c> (at least 8): null to
    /// patch (the expected prologue), <see cref="NativeSettingOutcome.Applied"/> when the patch is already
    /// there, <see cref="NativeSettingOutcome.Failed"/> (left alone) for any other code. Pure.</summary>
    public static NativeSettingResult? CheckPrologue(ReadOnlySpan<byte> current) =>
        current.Length < 8 ? throw new ArgumentException("needs the function's first 8 bytes", nameof(current))
        : current[..ReturnOne.Length].SequenceEqual(ReturnOne) ? new(NativeSettingOutcome.Applied, "MKL uses its Intel kernels on this AMD processor (already patched)")
        // mov eax, dword [rip + disp32] (the cached answer); test eax, eax
        : current[0] == 0x8B && current[1] == 0x05 && current[6] == 0x85 && current[7] == 0xC0 ? null
        : new(NativeSettingOutcome.Failed, $"{VendorCheck} starts with {BitConverter.ToString(current[..8].ToArray()).Replace('-', ' ')}, "
            + "not the prologue this patch knows (8B 05 .. .. .. .. 85 C0): left unpatched, MKL keeps its generic kernels");

    /// <summary>The dynamic linker's functions from the first of <paramref name="libraries"/> that has
    /// them (or whose dependencies have them), or null.</summary>
    public static DynamicLinker? FindDynamicLinker(IEnumerable<string> libraries)
    {
        foreach (var library in libraries)
            if (NativeLibrary.TryLoad(library, out var handle)
                && NativeLibrary.TryGetExport(handle, "dlopen", out var open)
                && NativeLibrary.TryGetExport(handle, "dlsym", out var symbol)
                && NativeLibrary.TryGetExport(handle, "dlclose", out var close))
                return new DynamicLinker(library,
                    Marshal.GetDelegateForFunctionPointer<DynamicLinker.OpenFunction>(open),
                    Marshal.GetDelegateForFunctionPointer<DynamicLinker.SymbolFunction>(symbol),
                    Marshal.GetDelegateForFunctionPointer<DynamicLinker.CloseFunction>(close));
        return null;
    }

    /// <summary><see cref="Precondition"/> for this process and machine.</summary>
    public static NativeSettingResult? PreconditionHere() =>
        Precondition(Environment.GetEnvironmentVariable(SwitchVariable),
            OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64,
            X86Base.IsSupported ? Vendor() : "", Avx2.IsSupported && Fma.IsSupported);

    /// <summary>Why not to patch (null: go ahead), from the switch's value and the machine. Pure.</summary>
    public static NativeSettingResult? Precondition(string? switchValue, bool linuxX64, string cpuVendor, bool avx2AndFma) =>
        switchValue == "0" ? new(NativeSettingOutcome.Disabled, $"{SwitchVariable}=0: MKL keeps its own kernel choice")
        : !linuxX64 ? new(NativeSettingOutcome.NotApplicable, "not x64 Linux")
        : cpuVendor != "AuthenticAMD" ? new(NativeSettingOutcome.NotApplicable, $"not an AMD processor ({cpuVendor}): MKL's own dispatch is right")
        : !avx2AndFma ? new(NativeSettingOutcome.NotApplicable, "the processor lacks AVX2 or FMA")
        : null;

    private static NativeSettingResult Patch()
    {
        if (FindDynamicLinker(DynamicLinkerLibraries) is not { } linker)
            return new(NativeSettingOutcome.Failed, $"neither {string.Join(" nor ", DynamicLinkerLibraries)} provides dlopen and dlsym; MKL keeps its generic kernels");
        nint library = linker.Open(Library, RtldLazy | RtldNoLoad);
        if (library == 0) return new(NativeSettingOutcome.NotApplicable, $"{Library} is not loaded");
        try
        {
            nint function = linker.Symbol(library, VendorCheck);
            if (function == 0) return new(NativeSettingOutcome.NotApplicable, $"{Library} has no {VendorCheck} (no MKL inside)");
            var current = new byte[8];
            Marshal.Copy(function, current, 0, current.Length);
            var patched = CheckPrologue(current) ?? (Overwrite(function, ReturnOne) is { } problem
                ? new(NativeSettingOutcome.Failed, $"{VendorCheck}: {problem}")
                : new(NativeSettingOutcome.Applied, "MKL uses its Intel kernels on this AMD processor"));
            return patched.Outcome == NativeSettingOutcome.Applied
                ? patched with { Detail = $"{patched.Detail}; {LimitInstructions(linker, library, Environment.GetEnvironmentVariable(SwitchVariable), Environment.GetEnvironmentVariable(MklInstructionsVariable))}" }
                : patched;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return new(NativeSettingOutcome.Failed, $"mprotect is not available ({e.Message}); MKL keeps its generic kernels");
        }
        finally
        {
            _ = linker.Close(library);
        }
    }

    /// <summary>MKL's own variable for the newest instruction set it may use; set, it is the user's choice.</summary>
    public const string MklInstructionsVariable = "MKL_ENABLE_INSTRUCTIONS";

    /// <summary>The switch's value that lets MKL take AVX-512 kernels (faster, not reproducible; see the class).</summary>
    public const string Avx512Value = "avx512";

    /// <summary>The instruction set to hold MKL to, from the switch's value and the user's own
    /// <see cref="MklInstructionsVariable"/>: AVX2 unless the switch says <see cref="Avx512Value"/> or the
    /// user set MKL's variable (null: no limit from here). Pure.</summary>
    public static string? InstructionLimit(string? switchValue, string? mklInstructions) =>
        string.Equals(switchValue, Avx512Value, StringComparison.OrdinalIgnoreCase) || !string.IsNullOrEmpty(mklInstructions) ? null : "AVX2";

    private const string LimitFunction = "mkl_serv_enable_instructions"; // mkl_enable_instructions
    private const int MklEnableAvx2 = 2;                                 // MKL_ENABLE_AVX2 (mkl_service.h)

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int EnableInstructions(int isa);

    /// <summary>Holds MKL to AVX2 where <see cref="InstructionLimit"/> says so, before its first product; says what came of it.</summary>
    private static string LimitInstructions(DynamicLinker linker, nint library, string? switchValue, string? mklInstructions)
    {
        if (InstructionLimit(switchValue, mklInstructions) is null)
            return !string.IsNullOrEmpty(mklInstructions)
                ? $"instruction sets as {MklInstructionsVariable} says"
                : $"AVX2 or AVX-512 by the processor ({SwitchVariable}={Avx512Value}: not reproducible across processes where AVX-512 is taken)";
        nint function = linker.Symbol(library, LimitFunction);
        if (function == 0) return $"{LimitFunction} not found: instruction sets by the processor";
        return Marshal.GetDelegateForFunctionPointer<EnableInstructions>(function)(MklEnableAvx2) == 1
            ? "held to AVX2 kernels (reproducible; AVX-512 ones vary between processes here)"
            : $"{LimitFunction} refused AVX2 (MKL already started): instruction sets by the processor";
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
    private static extern int mprotect(nint address, nint length, int protection);
}

/// <summary><c>dlopen</c>, <c>dlsym</c> and <c>dlclose</c>, and the library they came from.</summary>
public sealed record DynamicLinker(string Library, DynamicLinker.OpenFunction Open, DynamicLinker.SymbolFunction Symbol, DynamicLinker.CloseFunction Close)
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate nint OpenFunction([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate nint SymbolFunction(nint handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string symbol);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int CloseFunction(nint handle);
}

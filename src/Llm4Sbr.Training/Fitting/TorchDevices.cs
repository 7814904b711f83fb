using LanguageExt;
using LanguageExt.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Fitting;

/// <summary>Where tensors live: <c>auto</c> takes CUDA when the CUDA build of TorchSharp is present and a
/// GPU is visible, else the CPU.</summary>
public enum DeviceChoice { Auto, Cpu, Cuda }

public static class TorchDevices
{
    public static readonly string ValidNames = "auto, cpu, cuda";

    public static Fin<DeviceChoice> Parse(string name) => name.ToLowerInvariant() switch
    {
        "auto" => DeviceChoice.Auto,
        "cpu" => DeviceChoice.Cpu,
        "cuda" => DeviceChoice.Cuda,
        _ => Error.New($"unknown device '{name}'; valid devices: {ValidNames}"),
    };

    /// <summary>Resolves the choice to a torch device, initialising the CUDA backend first when it is
    /// used. CUDA needs the TorchSharp-cuda-linux build (<c>dotnet build -p:TorchFlavor=cuda</c>, which
    /// restores from nuget.org) and an NVIDIA driver.</summary>
    public static Fin<Device> Resolve(DeviceChoice choice)
    {
        if (choice == DeviceChoice.Cpu) return CPU;
        // Asked for CUDA explicitly: load its backend first, so a missing library is reported by
        // name instead of as "not available".
        if (choice == DeviceChoice.Cuda && TryInitializeCuda() is { } failure)
            return Error.New($"device 'cuda' was asked for but its backend did not load ({failure}): build with -p:TorchFlavor=cuda (TorchSharp-cuda-linux) on a machine with an NVIDIA GPU, or use --device cpu|auto");
        bool available = CudaAvailable();
        if (available)
        {
            InitializeDeviceType(DeviceType.CUDA);
            return CUDA;
        }
        return choice == DeviceChoice.Auto
            ? CPU
            : Error.New("device 'cuda' was asked for but CUDA is not available: build with -p:TorchFlavor=cuda (TorchSharp-cuda-linux) on a machine with an NVIDIA GPU, or use --device cpu|auto");
    }

    private static string? TryInitializeCuda()
    {
        try { InitializeDeviceType(DeviceType.CUDA); return null; }
        catch (NotSupportedException e) { return FirstLine(e.Message); }
        catch (InvalidOperationException e) { return FirstLine(e.Message); }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim().TrimEnd('.', ':');

    private static bool CudaAvailable()
    {
        try { return cuda.is_available(); }
        catch (NotSupportedException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Intra-op threads for CPU work; all cores unless told otherwise.</summary>
    public static void SetThreads(int? threads) => set_num_threads(threads ?? Environment.ProcessorCount);
}

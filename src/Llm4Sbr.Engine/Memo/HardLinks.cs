using System.Runtime.InteropServices;

namespace Llm4Sbr.Engine.Memo;

/// <summary>Hard links where the OS offers them (so a run folder costs no space next to the
/// cache), a copy otherwise (another file system, Windows, or links refused).</summary>
internal static partial class HardLinks
{
    public static void LinkOrCopy(string source, string destination)
    {
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                if (link(source, destination) == 0) return;
            }
            catch (EntryPointNotFoundException) { } // no libc link(): fall back to copying
            catch (DllNotFoundException) { }
        }
        File.Copy(source, destination, overwrite: false);
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int link(string oldPath, string newPath);
}

using System.Runtime.InteropServices;

namespace Llm4Sbr.Engine.Memo;

/// <summary>A run folder's own copy of a cache file. Never a hard link: a hard link is the same file,
/// so appending to one run's report changed the cache entry and every other run showing it. A reflink
/// (FICLONE: a copy-on-write clone sharing the cache's blocks until either side is written) where the
/// file system offers one (btrfs, XFS with reflink, bcachefs), so a run folder costs no space there;
/// a plain copy otherwise (ext4, tmpfs, another file system, other systems).</summary>
internal static partial class FileClones
{
    public static void CloneOrCopy(string source, string destination)
    {
        if (OperatingSystem.IsLinux() && TryClone(source, destination)) return;
        File.Copy(source, destination, overwrite: false);
    }

    static bool TryClone(string source, string destination)
    {
        int result;
        using (var from = File.OpenHandle(source, FileMode.Open, FileAccess.Read))
        using (var to = File.OpenHandle(destination, FileMode.CreateNew, FileAccess.Write))
        {
            try
            {
                result = ioctl((int)to.DangerousGetHandle(), Ficlone, (int)from.DangerousGetHandle());
            }
            catch (EntryPointNotFoundException) { result = -1; } // no libc ioctl: copy
            catch (DllNotFoundException) { result = -1; }
        }
        if (result != 0) File.Delete(destination); // EOPNOTSUPP, EXDEV, EINVAL: this file system cannot clone
        return result == 0;
    }

    const ulong Ficlone = 0x40049409; // _IOW(0x94, 9, int)

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl(int fd, ulong request, int sourceFd);
}

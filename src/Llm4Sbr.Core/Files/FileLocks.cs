namespace Llm4Sbr.Core.Files;

/// <summary>Advisory locks between processes on a lock file, through the OS: on Unix .NET takes
/// <c>flock</c> (exclusive for <see cref="FileShare.None"/>, shared for a read-only open), on Windows
/// sharing modes. The OS drops a lock when its process exits, so a crashed holder never blocks anyone;
/// the lock file itself stays (it is empty, and deleting it could let two holders in: one on the
/// deleted file, one on its replacement).</summary>
public static class FileLocks
{
    /// <summary>How often a waiter tries again.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <summary>The lock, exclusive or shared, or null when another holder's lock excludes it.</summary>
    public static FileStream? TryTake(string path, bool exclusive)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return exclusive
                ? new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)
                : new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (IOException e) when (HeldElsewhere(e))
        {
            return null;
        }
    }

    /// <summary>Waits for the lock; <paramref name="waiting"/> is called once, when it has to wait.</summary>
    public static async Task<FileStream> TakeAsync(string path, bool exclusive, TimeProvider time, Action? waiting, CancellationToken ct)
    {
        for (var announced = false; ; announced = true)
        {
            if (TryTake(path, exclusive) is { } held) return held;
            if (!announced) waiting?.Invoke();
            await Task.Delay(Poll, time, ct).ConfigureAwait(false);
        }
    }

    // EWOULDBLOCK from flock (11 on Linux, 35 on macOS); ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION on Windows.
    static bool HeldElsewhere(IOException e) =>
        e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException)
        && (e.HResult is 11 or 35 || (e.HResult & 0xFFFF) is 32 or 33);
}

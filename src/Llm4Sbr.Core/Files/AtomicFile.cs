using System.Text;

namespace Llm4Sbr.Core.Files;

/// <summary>Replaces a small text file whole: written beside it under a dot-name (<c>.NAME.GUID.tmp</c>,
/// out of a folder listing's way), flushed to disk, then moved over it. A reader sees the old file or the
/// new one, never part of one; a write that fails (a full disk) leaves no temporary file behind.</summary>
public static class AtomicFile
{
    public static async Task WriteAllTextAsync(string path, string text, CancellationToken ct)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            // File.Exists is false, not an exception, when the folder itself could not be made.
            if (File.Exists(temporary)) File.Delete(temporary);
            throw;
        }
    }
}

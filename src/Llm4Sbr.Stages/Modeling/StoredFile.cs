namespace Llm4Sbr.Stages.Modeling;

/// <summary>A file a stage output carries beside its tables (a checkpoint): its name in the stage
/// folder and either its bytes (freshly computed) or the path it was read from (a cache entry or
/// a run folder). The codec writes it; readers open it only when they need it.</summary>
public sealed record StoredFile
{
    StoredFile(string name, byte[]? content, string? path) => (Name, Content, Path) = (name, content, path);

    public string Name { get; }
    byte[]? Content { get; }
    public string? Path { get; }

    public static StoredFile InMemory(string name, byte[] content) => new(name, content, null);
    public static StoredFile OnDisk(string name, string path) => new(name, null, path);

    public long Length => Content?.LongLength ?? new FileInfo(Path!).Length;

    public byte[] ReadAllBytes() => Content ?? File.ReadAllBytes(Path!);

    public async Task WriteToAsync(string destination, CancellationToken ct)
    {
        if (Content is not null)
        {
            await using var stream = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await stream.WriteAsync(Content, ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        else
        {
            File.Copy(Path!, destination);
        }
    }
}

namespace Llm4Sbr.Inference.Tests.Encoding;

internal sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"llm4sbr-test-{Guid.NewGuid():N}");

    public TemporaryFolder() => Directory.CreateDirectory(Path);

    public IEnumerable<string> Files(string pattern) => Directory.EnumerateFiles(Path, pattern, SearchOption.AllDirectories);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}

namespace Llm4Sbr.Core.Tests.Support;

public static class TestPaths
{
    /// <summary>The repository root: the first folder above the test assembly holding Llm4Sbr.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Data(params string[] parts) => Path.Combine([RepoRoot, "data", .. parts]);

    /// <summary>tests/fixtures, as copied next to the test assembly.</summary>
    public static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Llm4Sbr.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds Llm4Sbr.sln");
    }
}

/// <summary>A temporary folder for tests that need real files; deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("llm4sbr-core-tests-").FullName;

    public string Write(string name, byte[] content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(file, content);
        return file;
    }

    public string Write(string name, string content) => Write(name, System.Text.Encoding.UTF8.GetBytes(content));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

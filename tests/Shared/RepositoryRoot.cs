namespace Llm4Sbr.Tests.Shared;

/// <summary>The repository root: the first folder above the test binaries holding Llm4Sbr.sln (for tests
/// that read the repository's own files: pipelines, build lists).</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "Llm4Sbr.sln"))) return d.FullName;
        throw new InvalidOperationException("Llm4Sbr.sln not found above " + AppContext.BaseDirectory);
    }
}

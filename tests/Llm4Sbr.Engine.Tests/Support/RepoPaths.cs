namespace Llm4Sbr.Engine.Tests.Support;

public static class RepoPaths
{
    /// <summary>The repository root: the first folder above the test binaries holding Llm4Sbr.sln.</summary>
    public static string Root { get; } = Find();

    public static string Pipeline(string name) => Path.Combine(Root, "pipelines", name + ".yaml");

    static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Llm4Sbr.sln"))) return d.FullName;
        throw new InvalidOperationException("Llm4Sbr.sln not found above " + AppContext.BaseDirectory);
    }
}

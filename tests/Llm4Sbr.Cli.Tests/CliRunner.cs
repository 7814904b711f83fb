using System.Text.Json;

namespace Llm4Sbr.Cli.Tests;

/// <summary>Runs <c>llm4sbr</c> in-process with captured output, a private cache and run folder,
/// and the repository root as working directory (so bare pipeline names resolve).</summary>
public sealed class CliRunner : IDisposable
{
    public CliRunner()
    {
        Scratch = Path.Combine(Path.GetTempPath(), "llm4sbr-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Scratch);
    }

    public string Scratch { get; }
    public string Cache => Path.Combine(Scratch, "cache");
    public string Runs => Path.Combine(Scratch, "runs");
    public Dictionary<string, string> Environment { get; } = [];

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Runs with <c>--cache</c> and <c>--out</c> pointing into the scratch folder.</summary>
    public Task<Result> RunAsync(params string[] args) =>
        RawAsync([.. args, "--cache", Cache, "--out", Path.Combine(Runs, Pipeline(args))]);

    public async Task<Result> RawAsync(string[] args, string? workingDirectory = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = new CliHost(output, error, workingDirectory ?? RepoRoot,
            name => Environment.TryGetValue(name, out var value) ? value : null, OutputIsTerminal: false, ApplicationDirectory: null);
        var code = await CliApp.RunAsync(args, host);
        return new Result(code, output.ToString(), error.ToString());
    }

    static string Pipeline(string[] args) => args.Length > 1 ? Path.GetFileNameWithoutExtension(args[1]) : "none";

    public void Dispose()
    {
        try
        {
            Directory.Delete(Scratch, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Llm4Sbr.sln"))) return d.FullName;
        throw new InvalidOperationException("Llm4Sbr.sln not found above " + AppContext.BaseDirectory);
    }

    public sealed record Result(int Code, string Out, string Error)
    {
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        /// <summary>Standard output must be exactly one JSON object.</summary>
        public JsonElement Json()
        {
            using var document = JsonDocument.Parse(Out);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            return document.RootElement.Clone();
        }
    }
}

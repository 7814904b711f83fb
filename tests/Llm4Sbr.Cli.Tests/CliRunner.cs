using System.Text.Json;
using System.Text.RegularExpressions;

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

    /// <summary>Runs with <c>--cache</c> and <c>--out</c> pointing into the scratch folder. These tests
    /// exercise the CLI and the data stages: the catalogue holds the data stages only, and a bundled
    /// pipeline named by its bare name is run from a copy holding only its data sections (the full
    /// graph, with intent and model stages, is tested in Llm4Sbr.Stages.Tests).</summary>
    public Task<Result> RunAsync(params string[] args) =>
        RawAsync([.. args, "--cache", Cache, "--out", Path.Combine(Runs, Pipeline(args))]);

    public async Task<Result> RawAsync(string[] args, string? workingDirectory = null)
    {
        args = DataOnly(args);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = new CliHost(output, error, workingDirectory ?? RepoRoot,
            name => Environment.TryGetValue(name, out var value) ? value : null, OutputIsTerminal: false, ApplicationDirectory: null);
        var code = await CliApp.RunAsync(args, host, Stages.Data.DataStageModules.Catalog());
        return new Result(code, output.ToString(), error.ToString());
    }

    static readonly HashSet<string> DataSections = ["name", "description", "dataset", "sessions", "split", "samples"];

    string[] DataOnly(string[] args)
    {
        if (args.Length < 2 || args[1].Contains('/') || args[1].EndsWith(".yaml", StringComparison.Ordinal)) return args;
        return File.Exists(Path.Combine(RepoRoot, "pipelines", args[1] + ".yaml")) ? [args[0], DataOnlyCopy(args[1]), .. args[2..]] : args;
    }

    /// <summary>A copy of bundled pipeline <paramref name="name"/> in the scratch folder, holding only its
    /// data sections, with its data paths made absolute; returns its path.</summary>
    public string DataOnlyCopy(string name)
    {
        var kept = DataSectionsOf(File.ReadAllText(Path.Combine(RepoRoot, "pipelines", name + ".yaml")))
            .Replace(" data/movielens-small/", $" {RepoRoot}/data/movielens-small/")
            .Replace(" data/amazon-beauty/", $" {RepoRoot}/data/amazon-beauty/");
        var copy = Path.Combine(Scratch, "pipelines", name + ".yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.WriteAllText(copy, kept);
        return copy;
    }

    /// <summary>A pipeline file's text with only the data stages' top-level sections.</summary>
    public static string DataSectionsOf(string yaml)
    {
        var kept = new List<string>();
        var section = "";
        foreach (var line in yaml.Split('\n'))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && line[0] != '#' && line.Contains(':')) section = line[..line.IndexOf(':')];
            if (section == "" || DataSections.Contains(section)) kept.Add(line);
        }
        return string.Join('\n', kept);
    }

    /// <summary>The key <c>status</c> gives <paramref name="stage"/> of <paramref name="pipeline"/> on this cache.</summary>
    public async Task<Llm4Sbr.Engine.Keys.StageKey> StageKeyAsync(string pipeline, string stage)
    {
        var status = await RawAsync(["status", pipeline, "--cache", Cache, "--json"]);
        return new(status.Json().GetProperty("stages").EnumerateArray().First(s => s.GetProperty("name").GetString() == stage).GetProperty("key").GetString()!);
    }

    /// <summary>The stage a progress line says has computed (<c>17:31:02 samples: computed in 0.2 s</c>), or
    /// the whole line where it is not one (so an assertion on the stages shows any other line).</summary>
    public static string ComputedStage(string line) =>
        Regex.Match(line, @"^\d\d:\d\d:\d\d (\S+): computed in \d+\.\d s$") is { Success: true } m ? m.Groups[1].Value : line;

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

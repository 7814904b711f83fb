namespace Llm4Sbr.Cli;

/// <summary>What the CLI may touch of the process it runs in: its output streams, working
/// directory, environment, and whether standard output is a terminal. Tests pass their own.</summary>
public sealed record CliHost(
    TextWriter Out,
    TextWriter Error,
    string WorkingDirectory,
    Func<string, string?> GetEnvironmentVariable,
    bool OutputIsTerminal,
    string? ApplicationDirectory)
{
    public static CliHost FromConsole() => new(
        Console.Out, Console.Error, Environment.CurrentDirectory, Environment.GetEnvironmentVariable,
        !Console.IsOutputRedirected, AppContext.BaseDirectory);
}

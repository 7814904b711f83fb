namespace Llm4Sbr.Cli;

/// <summary>What the CLI may touch of the process it runs in: its output streams, working
/// directory, environment, whether standard output is a terminal, and its clock (progress lines' times
/// and heartbeat). Tests pass their own.</summary>
public sealed record CliHost(
    TextWriter Out,
    TextWriter Error,
    string WorkingDirectory,
    Func<string, string?> GetEnvironmentVariable,
    bool OutputIsTerminal,
    string? ApplicationDirectory)
{
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public static CliHost FromConsole() => new(
        Console.Out, Console.Error, Environment.CurrentDirectory, Environment.GetEnvironmentVariable,
        !Console.IsOutputRedirected, AppContext.BaseDirectory);
}

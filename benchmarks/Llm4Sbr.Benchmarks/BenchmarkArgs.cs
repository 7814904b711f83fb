namespace Llm4Sbr.Benchmarks;

/// <summary><c>--name value</c> options after the benchmark's name.</summary>
internal sealed class BenchmarkArgs(IReadOnlyList<string> args)
{
    public string? String(string name)
    {
        for (int i = 0; i + 1 < args.Count; i++)
            if (args[i] == "--" + name) return args[i + 1];
        return null;
    }

    public int Int(string name, int fallback) =>
        String(name) is { } text
            ? int.TryParse(text, out int value) ? value : throw new ArgumentException($"--{name} expects an integer, got '{text}'")
            : fallback;
}

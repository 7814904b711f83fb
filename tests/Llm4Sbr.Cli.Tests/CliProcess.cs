using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Llm4Sbr.Cli.Tests;

/// <summary>One <c>llm4sbr</c> process (the built <c>llm4sbr.dll</c> under <c>dotnet</c>, in the repository
/// root); <see cref="Waiting"/> completes when it says it waits for another process computing a stage.</summary>
sealed class CliProcess
{
    readonly System.Text.StringBuilder _error = new();
    readonly Process _process;

    public CliProcess(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = CliRunner.RepoRoot,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "llm4sbr.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        _process = new Process { StartInfo = start };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_error) _error.AppendLine(e.Data);
            if (e.Data.Contains("waiting", StringComparison.Ordinal)) Waiting.TrySetResult();
        };
        _process.Start();
        _process.BeginErrorReadLine();
        Finished = FinishAsync();
    }

    public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public Task<(int Code, string Out, string Error)> Finished { get; }

    /// <summary>Sends SIGTERM, as a scheduler stopping the job does (Ctrl+C's SIGINT takes the same path).</summary>
    public void Terminate()
    {
        if (kill(_process.Id, 15) != 0) throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    async Task<(int, string, string)> FinishAsync()
    {
        using (_process)
        {
            var output = await _process.StandardOutput.ReadToEndAsync();
            using var liveness = new CancellationTokenSource(TimeSpan.FromMinutes(5)); // liveness only, not a timing check
            await _process.WaitForExitAsync(liveness.Token);
            lock (_error) return (_process.ExitCode, output, _error.ToString());
        }
    }
}

using Llm4Sbr.Engine.Dataflow;
using Spectre.Console;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Cli.Rendering;

/// <summary>Progress bars, one per stage, while a run goes on (only on a terminal).</summary>
public static class ProgressView
{
    public static async Task<RunResult> ShowAsync(IAnsiConsole console, IEnumerable<string> stages, Func<IProgress<StageEvent>, Task<RunResult>> run)
    {
        RunResult? result = null;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = stages.ToDictionary(s => s, s => ctx.AddTask(Markup.Escape(s), autoStart: false, maxValue: 1));
                var progress = new SynchronousProgress<StageEvent>(e =>
                {
                    if (!tasks.TryGetValue(e.Stage, out var task)) return;
                    switch (e.Kind)
                    {
                        case StageEventKind.Started:
                            task.StartTask();
                            task.IsIndeterminate = true;
                            break;
                        case StageEventKind.Progress when e.Progress.Total is { } total and > 0:
                            task.IsIndeterminate = false;
                            task.MaxValue = total;
                            task.Value = Math.Min(e.Progress.Done, total);
                            break;
                        case StageEventKind.Progress:
                            if (e.Progress.Message is { } note) task.Description = $"{Markup.Escape(e.Stage)} [grey]({Markup.Escape(note)})[/]";
                            break;
                        case StageEventKind.Finished:
                            task.IsIndeterminate = false;
                            task.Value = task.MaxValue;
                            task.Description = $"{Markup.Escape(e.Stage)} [grey]({e.Report!.Status.ToString().ToLowerInvariant()})[/]";
                            task.StopTask();
                            break;
                    }
                });
                result = await run(progress);
            });
        return result!;
    }
}

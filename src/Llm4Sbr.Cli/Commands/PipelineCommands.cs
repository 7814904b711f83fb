using Llm4Sbr.Stages.Modeling;
using Llm4Sbr.Stages.Modeling.Report;
using System.Diagnostics;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Cli.Logging;
using Llm4Sbr.Cli.Rendering;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Pipelines;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Llm4Sbr.Cli.Commands;

/// <summary>The <c>prepare</c>, <c>run</c> and <c>status</c> commands: open the pipeline, plan,
/// run or inspect, and print (a table, or one JSON object with <c>--json</c>). Every failure is
/// one line on standard error and a non-zero exit code.</summary>
public sealed class PipelineCommands : IDisposable
{
    readonly CliHost _host;
    readonly StageCatalog _catalog;
    readonly CommandSettings _settings;
    readonly ILoggerFactory _loggers;
    readonly ILogger _logger;
    readonly IAnsiConsole _console;

    public PipelineCommands(CliHost host, StageCatalog catalog, CommandSettings settings)
    {
        _host = host;
        _catalog = catalog;
        _settings = settings;
        _loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(settings.Verbose ? LogLevel.Debug : LogLevel.Warning)
            .AddProvider(new TextWriterLoggerProvider(host.Error, settings.Verbose ? LogLevel.Debug : LogLevel.Warning, settings.Verbose)));
        _logger = _loggers.CreateLogger("llm4sbr");
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = host.OutputIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = host.OutputIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = host.OutputIsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(host.Out),
        });
        if (!host.OutputIsTerminal) _console.Profile.Width = 160;
    }

    public void Dispose() => _loggers.Dispose();

    /// <summary><c>prepare</c>: runs the data stages (load..samples) and prints the dataset's figures.</summary>
    public async Task<int> PrepareAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var opened = await OpenAndPlanAsync(SamplesStage.Name, ct);
        if (opened.IsFail) return Fail((Error)opened, FailureKind.Invalid);
        var (workspace, plan) = ((PipelineWorkspace, PipelinePlan))opened;

        var run = await ExecuteAsync(workspace, plan, ct);
        if (!run.Succeeded) return FailRun(run, ct);

        var summary = await DataStageModules.SummarizeAsync(run, workspace.Pipeline, ct);
        if (summary.IsFail) return Fail((Error)summary, FailureKind.RunFailed);
        var (figures, load) = ((Core.Data.DatasetSummary, Core.Loading.LoadReport))summary;
        if (_settings.Json)
        {
            _host.Out.WriteLine(Json.Print(Json.Prepare(figures, load, run, Stopwatch.GetElapsedTime(started).TotalSeconds)));
        }
        else
        {
            Render.Run(_console, run);
            Render.Figures(_console, figures, load);
        }
        return ExitCodes.Ok;
    }

    /// <summary><c>run</c>: runs the stages the pipeline's final stage needs (the product's: <c>report</c>),
    /// or those <c>--until</c> needs. Stages nothing downstream reads are left out: with baselines and
    /// SR-GNN only, the intent stages (whose titles alone take a minute on Beauty) do not run.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var opened = await OpenAndPlanAsync(_settings.Until, ct, finalStageByDefault: true);
        if (opened.IsFail) return Fail((Error)opened, FailureKind.Invalid);
        var (workspace, plan) = ((PipelineWorkspace, PipelinePlan))opened;

        var run = await ExecuteAsync(workspace, plan, ct);
        if (_settings.Json)
        {
            _host.Out.WriteLine(Json.Print(RunSummaryJson.Build(run, await ModelingStageModules.MetricsJsonAsync(run, ct))));
        }
        else
        {
            Render.Run(_console, run);
            // The report ends a full run: show it, so the run's result is on screen, not only on disk.
            if (run.Stages.Any(s => s.Name == ReportStage.Name && s.Succeeded)
                && await run.OutputAsync<ReportOutput>(ReportStage.Name, ct) is { IsSucc: true } report)
            {
                _host.Out.WriteLine();
                _host.Out.WriteLine(((ReportOutput)report).Markdown);
                _host.Out.WriteLine($"(report: {Path.Combine(workspace.OutputDirectory, ReportStage.Name)})");
            }
        }
        return run.Succeeded ? ExitCodes.Ok : FailRun(run, ct);
    }

    /// <summary><c>status</c>: per stage, cached, stale or missing, without running anything.</summary>
    public async Task<int> StatusAsync(CancellationToken ct)
    {
        var opened = await OpenAndPlanAsync(null, ct);
        if (opened.IsFail) return Fail((Error)opened, FailureKind.Invalid);
        var (workspace, plan) = ((PipelineWorkspace, PipelinePlan))opened;
        var states = await PipelineStatus.InspectAsync(plan, workspace.Store(_logger), workspace.Outputs(_logger), ct);
        if (_settings.Json) _host.Out.WriteLine(Json.Print(Json.Status(plan.Name, states)));
        else Render.Status(_console, plan.Name, states);
        return ExitCodes.Ok;
    }

    async Task<Fin<(PipelineWorkspace, PipelinePlan)>> OpenAndPlanAsync(string? until, CancellationToken ct, bool finalStageByDefault = false)
    {
        var started = Stopwatch.GetTimestamp();
        var opened = PipelineWorkspace.Open(_settings.Pipeline, _settings.Cache, _settings.Out, _host, _catalog, _settings.Overrides);
        if (opened.IsFail) return (Error)opened;
        var workspace = (PipelineWorkspace)opened;
        _logger.LogDebug("pipeline {File} read in {Seconds:F3} s; cache {Cache}", workspace.Pipeline.Source.DisplayPath,
            Stopwatch.GetElapsedTime(started).TotalSeconds, workspace.CacheRoot);
        started = Stopwatch.GetTimestamp();
        if (until is null && finalStageByDefault && !workspace.Pipeline.Stages.IsEmpty)
            until = workspace.Pipeline.Stages[^1].Name;
        var plan = await PipelinePlanner.PlanAsync(workspace.Pipeline, new PlanOptions(until, _settings.Force), new FileFingerprints(), ct);
        _logger.LogDebug("planned in {Seconds:F3} s (source files hashed)", Stopwatch.GetElapsedTime(started).TotalSeconds);
        return plan.Map(p => (workspace, p));
    }

    Task<RunResult> ExecuteAsync(PipelineWorkspace workspace, PipelinePlan plan, CancellationToken ct)
    {
        var runner = new PipelineRunner(workspace.Store(_logger), _logger);
        var outputs = workspace.Outputs(_logger);
        return _host.OutputIsTerminal && !_settings.Json
            ? ProgressView.ShowAsync(_console, plan.Stages.Select(s => s.Name), progress => runner.RunAsync(plan, outputs, progress, ct))
            : runner.RunAsync(plan, outputs, null, ct);
    }

    int FailRun(RunResult run, CancellationToken ct) =>
        Fail(run.FirstError ?? Error.New("the run failed"),
            ct.IsCancellationRequested || run.Stages.Any(s => s.Status == StageStatus.Canceled) ? FailureKind.Canceled : FailureKind.RunFailed);

    int Fail(Error error, FailureKind kind) => CommandFailure.Report(_host, error, kind);
}

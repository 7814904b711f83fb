using Llm4Sbr.Stages.Modeling;
using Llm4Sbr.Stages.Modeling.Report;
using System.Diagnostics;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Cli.Logging;
using Llm4Sbr.Cli.Rendering;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Pipelines;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using static LanguageExt.Prelude;
using Outcome = LanguageExt.Fin<LanguageExt.Unit>;

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
    public Task<Outcome> PrepareAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        return OpenAndPlanAsync(SamplesStage.Name, ct).BindAsync(async opened =>
        {
            var run = await ExecuteAsync(opened.Workspace, opened.Plan, ct);
            if (!run.Succeeded) return FailRun(run, ct);
            var summary = await DataStageModules.SummarizeAsync(run, opened.Workspace.Pipeline, ct);
            return summary.FailsAs(FailureKind.RunFailed).Map(s =>
            {
                if (_settings.Json)
                {
                    _host.Out.WriteLine(Json.Print(Json.Prepare(s.Summary, s.Load, run, Stopwatch.GetElapsedTime(started).TotalSeconds)));
                }
                else
                {
                    Render.Run(_console, run);
                    Render.Figures(_console, s.Summary, s.Load);
                }
                return unit;
            });
        });
    }

    /// <summary><c>run</c>: runs the stages the pipeline's final stage needs (the product's: <c>report</c>),
    /// or those <c>--until</c> needs. Stages nothing downstream reads are left out: with baselines and
    /// SR-GNN only, the intent stages (whose titles alone take a minute on Beauty) do not run.</summary>
    public Task<Outcome> RunAsync(CancellationToken ct) =>
        OpenAndPlanAsync(_settings.Until, ct, finalStageByDefault: true).BindAsync(async opened =>
        {
            var run = await ExecuteAsync(opened.Workspace, opened.Plan, ct);
            if (_settings.Json)
            {
                _host.Out.WriteLine(Json.Print(RunSummaryJson.Build(run, await ModelingStageModules.MetricsJsonAsync(run, ct))));
            }
            else
            {
                Render.Run(_console, run);
                // The report ends a full run: show it, so the run's result is on screen, not only on disk.
                if (run.Stages.Any(s => s.Name == ReportStage.Name && s.Succeeded))
                    (await run.OutputAsync<ReportOutput>(ReportStage.Name, ct)).IfSucc(report =>
                    {
                        _host.Out.WriteLine();
                        _host.Out.WriteLine(report.Markdown);
                        _host.Out.WriteLine($"(report: {Path.Combine(opened.Workspace.OutputDirectory, ReportStage.Name)})");
                    });
            }
            return run.Succeeded ? FinSucc(unit) : FailRun(run, ct);
        });

    /// <summary><c>status</c>: per stage, cached, stale or missing, without running anything; the stages are
    /// the ones <c>run</c> with the same options would run (so a run without GCE-GNN or DHCN shows no
    /// <c>graphs</c>).</summary>
    public Task<Outcome> StatusAsync(CancellationToken ct) =>
        OpenAndPlanAsync(_settings.Until, ct, finalStageByDefault: true).BindAsync(async opened =>
        {
            var states = await PipelineStatus.InspectAsync(opened.Plan, opened.Workspace.Store(_logger), opened.Workspace.Outputs(_logger), ct);
            if (_settings.Json) _host.Out.WriteLine(Json.Print(Json.Status(opened.Plan.Name, states)));
            else Render.Status(_console, opened.Plan.Name, states);
            return FinSucc(unit);
        });

    /// <summary>The pipeline opened and planned; a failure of either is a usage error (nothing ran).</summary>
    Task<Fin<(PipelineWorkspace Workspace, PipelinePlan Plan)>> OpenAndPlanAsync(string? until, CancellationToken ct, bool finalStageByDefault = false)
    {
        var started = Stopwatch.GetTimestamp();
        return PipelineWorkspace.Open(_settings.Pipeline, _settings.Cache, _settings.Out, _host, _catalog, _settings.Overrides)
            .BindAsync(async workspace =>
            {
                _logger.LogDebug("pipeline {File} read in {Seconds:F3} s; cache {Cache}", workspace.Pipeline.Source.DisplayPath,
                    Stopwatch.GetElapsedTime(started).TotalSeconds, workspace.CacheRoot);
                started = Stopwatch.GetTimestamp();
                if (until is null && finalStageByDefault && !workspace.Pipeline.Stages.IsEmpty)
                    until = workspace.Pipeline.Stages[^1].Name;
                var plan = await workspace.PlanAsync(new PlanOptions(until, _settings.Force), ct);
                _logger.LogDebug("planned in {Seconds:F3} s (source files hashed)", Stopwatch.GetElapsedTime(started).TotalSeconds);
                return plan.Map(p => (Workspace: workspace, Plan: p));
            })
            .FailsAs(FailureKind.Invalid);
    }

    Task<RunResult> ExecuteAsync(PipelineWorkspace workspace, PipelinePlan plan, CancellationToken ct)
    {
        var runner = new PipelineRunner(workspace.Store(_logger), _logger);
        var outputs = workspace.Outputs(_logger);
        return ProgressLines.Resolve(_settings.Progress, _host.OutputIsTerminal, _settings.Json) switch
        {
            ProgressStyle.Bars => ProgressView.ShowAsync(_console, plan.Stages.Select(s => s.Name), progress => runner.RunAsync(plan, outputs, progress, ct)),
            ProgressStyle.Lines => runner.RunAsync(plan, outputs, ProgressLines.To(_host.Error, _host.Clock), ct),
            _ => runner.RunAsync(plan, outputs, null, ct),
        };
    }

    static Outcome FailRun(RunResult run, CancellationToken ct) =>
        CommandFailure.Fail(run.FirstError ?? Error.New("the run failed"),
            ct.IsCancellationRequested || run.Stages.Any(s => s.Status == StageStatus.Canceled) ? FailureKind.Canceled : FailureKind.RunFailed);
}

using System.Collections.Immutable;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LanguageExt;
using CommandOption = System.CommandLine.Option<string?>;
using FlagOption = System.CommandLine.Option<bool>;
using LanguageExt.Common;
using Llm4Sbr.Cli.Figures;
using Llm4Sbr.Cli.Logging;
using Llm4Sbr.Cli.Rendering;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Experiments;
using Llm4Sbr.Stages.Modeling.Evaluate;
using Llm4Sbr.Stages.Modeling.Report;
using Llm4Sbr.Stages.Modeling.Train;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;
using Outcome = LanguageExt.Fin<LanguageExt.Unit>;

namespace Llm4Sbr.Cli.Commands;

/// <summary><c>llm4sbr experiment PIPELINE --plan NAME [--seeds N] [--set k=v]... [--json]</c>: runs every
/// cell of an experiment plan (pipeline variant x model x seed) as a memoized run up to <c>evaluate</c>,
/// then writes the plan's Markdown report and PNG figures to <c>runs/PIPELINE/experiments/PLAN/</c>.
/// Progress goes to standard error (<c>--progress none</c>: only the summary); <c>--json</c> prints the cells, metrics, paired tests and files.</summary>
public static class ExperimentCommand
{
    public static Command Create(CliHost host, CommandOption cache, FlagOption verbose, System.CommandLine.Option<string> progress,
        Func<CommandSettings, StageCatalog> catalogFor)
    {
        var pipeline = new Argument<string>("pipeline") { Description = "A pipeline file, or a name in pipelines/ (e.g. movielens-small)" };
        var plan = new System.CommandLine.Option<string>("--plan")
        {
            Description = "An experiment plan: a file, or a built-in name in pipelines/experiments/ (table3, table4, views, k, llm-baselines)",
            Required = true,
        };
        var seeds = new System.CommandLine.Option<int?>("--seeds") { Description = "Seeds per neural model: seed i is the pipeline's training seed + i (default: the plan's seeds, else 1)" };
        var json = new FlagOption("--json") { Description = "Print the cells, metrics, paired tests and files as one JSON object" };
        var output = new CommandOption("--out") { Description = "Run folder (default: runs/PIPELINE/); the experiment writes to its experiments/PLAN/" };
        var overrides = new PipelineOptions(modelSelection: false);
        var command = new Command("experiment", "Run an experiment plan (every model x seed x pipeline variant, memoized) and write its report and figures")
            { pipeline, plan, seeds, json, output };
        overrides.AddTo(command);
        command.SetAction((parse, token) => CliApp.Guard(host, parse.GetValue(verbose), () =>
        {
            var count = parse.GetValue(seeds);
            return overrides.Read(parse)
                .Bind(read => count is < 1 or > 100
                    ? FinFail<PipelineOverrides>(Error.New($"--seeds: {count} is not a seed count from 1 to 100"))
                    : FinSucc(read))
                .FailsAs(FailureKind.Invalid)
                .BindAsync(async read =>
                {
                    var settings = new CommandSettings(parse.GetValue(pipeline)!, parse.GetValue(json), parse.GetValue(cache), parse.GetValue(output), parse.GetValue(verbose))
                        { Overrides = read, Progress = CliApp.ReadProgress(parse, progress) };
                    using var run = new ExperimentRun(host, catalogFor(settings), settings);
                    return await run.RunAsync(parse.GetValue(plan)!, count, token);
                });
        }, token));
        return command;
    }
}

/// <summary>One invocation of <c>experiment</c>: the imperative shell around the pure plan, cell,
/// statistics, report and figure code of <c>Llm4Sbr.Stages.Experiments</c>.</summary>
sealed class ExperimentRun(CliHost host, StageCatalog catalog, CommandSettings settings) : IDisposable
{
    readonly ILoggerFactory _loggers = LoggerFactory.Create(b => b
        .SetMinimumLevel(settings.Verbose ? LogLevel.Debug : LogLevel.Warning)
        .AddProvider(new TextWriterLoggerProvider(host.Error, settings.Verbose ? LogLevel.Debug : LogLevel.Warning, settings.Verbose)));

    // Progress goes to standard error whatever standard output is (the cells' stages as lines under each
    // cell's counter); --progress none leaves only the summary and failures there.
    readonly ProgressHeartbeat? _progress = settings.Progress == ProgressStyle.None ? null : ProgressLines.To(host.Error, host.Clock, indent: "    ");

    public void Dispose() => _loggers.Dispose();

    /// <summary>What a plan needs before its cells run: where built-in files are searched, the plan, the
    /// keys every cell sets and the pipeline opened with them.</summary>
    sealed record Setup(IReadOnlyList<string> Roots, ExperimentPlan Plan, IReadOnlyList<KeyValuePair<string, string>> Common, PipelineWorkspace Workspace);

    public async Task<Outcome> RunAsync(string planName, int? seedCount, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var logger = _loggers.CreateLogger("experiment");
        var setup =
            from source in PipelineLocator.Resolve(settings.Pipeline, host.WorkingDirectory, host.ApplicationDirectory)
            let roots = PlanFile.SearchRoots(source.RepoRoot, host.WorkingDirectory, host.ApplicationDirectory)
            from plan in LoadPlan(planName, roots)
            // The plan's keys first, the command line's after them (a later key wins).
            let common = plan.Set.Concat(settings.Overrides.Items.Select(o => KeyValuePair.Create(o.KeyPath, o.Text))).ToList()
            from workspace in PipelineWorkspace.Open(settings.Pipeline, settings.Cache, settings.Out, host, catalog, Overrides(common))
            select new Setup(roots, plan, common, workspace);
        return await setup.FailsAs(FailureKind.Invalid).BindAsync(ready =>
            PaperFiguresAsync(ready.Plan, ready.Roots, ct).FailsAs(FailureKind.Invalid)
                .BindAsync(paper => RunCellsAsync(ready, paper, seedCount, started, logger, ct)));
    }

    /// <summary>The paper's figures when the plan compares with them (none when the file is not there).</summary>
    static async Task<Fin<ImmutableArray<PaperFigure>>> PaperFiguresAsync(ExperimentPlan plan, IReadOnlyList<string> roots, CancellationToken ct)
    {
        var csv = plan.Paper is null ? null : PlanFile.FindBuiltIn(roots, PaperFigures.FileName);
        return csv is null ? FinSucc(ImmutableArray<PaperFigure>.Empty) : PaperFigures.Parse(await File.ReadAllTextAsync(csv, ct), csv);
    }

    /// <summary>Runs the cells one after another (the first failed cell ends the experiment), then
    /// writes the report and figures and prints the summary.</summary>
    async Task<Outcome> RunCellsAsync(Setup setup, ImmutableArray<PaperFigure> paper, int? seedCount, long started, ILogger logger, CancellationToken ct)
    {
        var (_, plan, common, workspace) = setup;
        var trainingSeed = (workspace.Pipeline.Find(TrainStage.Name)?.Config as TrainConfig)?.Training.Seeds.FirstOrDefault() ?? TrainingSettings.DefaultSeed;
        var dataset = (workspace.Pipeline.Find(ReportStage.Name)?.Config as ReportConfig)?.Dataset ?? workspace.Pipeline.Name;
        var cells = ExperimentCells.Expand(workspace.Pipeline.Name, plan, common, trainingSeed, seedCount ?? plan.Seeds);

        if (_progress is not null)
            await host.Error.WriteLineAsync($"experiment {plan.Name} on {workspace.Pipeline.Name}: {cells.Length} cells "
                + $"({plan.Models.Length} models, {cells.Select(c => c.Variant).Distinct().Count()} variants, seeds from {trainingSeed})");
        var results = await cells.AllOrFirstErrorAsync(async (cell, i) =>
            (await RunCellAsync(cell, $"[{i + 1}/{cells.Length}]", logger, ct)).BiMap(
                result => result,
                error => CommandFailure.Fail(Error.New($"cell {cell.Describe()} ({cell.Key[..12]}): {CommandFailure.OneLine(error)}"),
                    ct.IsCancellationRequested ? FailureKind.Canceled : FailureKind.RunFailed)));
        return await results.MapAsync(async done =>
        {
            logger.LogDebug("cells done after {Seconds:F2} s", Stopwatch.GetElapsedTime(started).TotalSeconds);
            var outcome = ExperimentOutcome.Build(plan, workspace.Pipeline.Name, dataset, done);
            logger.LogDebug("outcome and paired tests after {Seconds:F2} s", Stopwatch.GetElapsedTime(started).TotalSeconds);
            await WriteOutcomeAsync(outcome, paper, Path.Combine(workspace.OutputDirectory, "experiments", plan.Name), cells.Length, started, logger, ct);
            return unit;
        });
    }

    async Task WriteOutcomeAsync(ExperimentOutcome outcome, ImmutableArray<PaperFigure> paper, string folder, int cellCount, long started,
        ILogger logger, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var figures = FigureData.Build(outcome);
        var files = new List<string>();
        foreach (var figure in figures)
        {
            var path = Path.Combine(folder, figure.FileStem + ".png");
            FigurePainter.WritePng(figure, path);
            files.Add(path);
        }
        logger.LogDebug("figures after {Seconds:F2} s", Stopwatch.GetElapsedTime(started).TotalSeconds);
        var markdown = ExperimentReport.Render(outcome, paper, [.. files.Select(Path.GetFileName).OfType<string>()]);
        var report = Path.Combine(folder, "report.md");
        await WriteAtomicallyAsync(report, markdown, ct);
        files.Insert(0, report);

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var computed = outcome.Cells.Count(c => !c.Cached);
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"experiment {outcome.Plan.Name}: {cellCount} cells, {computed} computed, {cellCount - computed} cached, {seconds:0.0} s; report {report}");
        await host.Error.WriteLineAsync(summary);
        if (settings.Json)
        {
            await host.Out.WriteLineAsync(Json.Print(ExperimentJson.Build(outcome, [.. files], seconds)));
        }
        else
        {
            await host.Out.WriteLineAsync(markdown);
            await host.Out.WriteLineAsync(summary);
        }
    }

    Fin<ExperimentPlan> LoadPlan(string planName, IReadOnlyList<string> roots) =>
        from path in PlanFile.Locate(planName, host.WorkingDirectory, roots)
        from text in ReadText(path)
        from plan in PlanFile.Read(text, PipelineSource.ForFile(path, host.WorkingDirectory).DisplayPath).ToFin()
        select plan;

    static Fin<string> ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException e)
        {
            return Error.New($"{path}: cannot read: {e.Message}");
        }
    }

    static PipelineOverrides Overrides(IEnumerable<KeyValuePair<string, string>> settings) =>
        settings.Aggregate(PipelineOverrides.None, (o, s) => o.SetYaml(s.Key, s.Value, $"experiment setting {s.Key}"));

    /// <summary>Runs one cell up to <c>evaluate</c> (memoized: a cached cell loads its results and
    /// recomputes nothing) and reads its metrics and per-sample ranks.</summary>
    Task<Fin<CellResult>> RunCellAsync(ExperimentCell cell, string counter, ILogger logger, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var overrides = Overrides(cell.Settings)
            .SetList("models", [cell.Model], "experiment cell")
            .SetList("training.seeds", [cell.TrainingSeed.ToString(CultureInfo.InvariantCulture)], "experiment cell");
        return PipelineWorkspace.Open(settings.Pipeline, settings.Cache, settings.Out, host, catalog, overrides)
            .BindAsync(workspace => workspace.PlanAsync(new PlanOptions(EvaluateStage.Name), ct)
                .BindAsync(plan => RunPlannedCellAsync(cell, counter, workspace, plan, started, logger, ct)));
    }

    async Task<Fin<CellResult>> RunPlannedCellAsync(ExperimentCell cell, string counter, PipelineWorkspace workspace, PipelinePlan plan,
        long started, ILogger logger, CancellationToken ct)
    {
        if (_progress is not null) await host.Error.WriteLineAsync($"{counter} {cell.Describe()}");
        logger.LogDebug("cell {Cell} opened and planned in {Seconds:F2} s", cell.Key[..12], Stopwatch.GetElapsedTime(started).TotalSeconds);
        var run = await new PipelineRunner(workspace.Store(logger), logger).RunAsync(plan, null, _progress, ct);
        if (!run.Succeeded) return run.FirstError ?? Error.New("the run failed");
        logger.LogDebug("cell {Cell} ran in {Seconds:F2} s", cell.Key[..12], Stopwatch.GetElapsedTime(started).TotalSeconds);

        var metrics = await run.OutputAsync<MetricsTable>(EvaluateStage.Name, ct);
        var trained = await run.OutputAsync<TrainedModels>(TrainStage.Name, ct);
        return await (from table in metrics from models in trained select (table, models)).MapAsync(async outputs =>
        {
            var (table, models) = outputs;
            var configured = (workspace.Pipeline.Find(ReportStage.Name)?.Config as ReportConfig)?.LlmConfigured;
            var (label, usedLlm) = ReportStage.LlmLabel(models.Facts, configured);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var computed = run.Stages.Where(s => s.Status == StageStatus.Computed).Select(s => s.Name).ToImmutableArray();
            if (_progress is not null)
                await host.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{counter} {cell.Describe()}: {(computed.IsEmpty ? "cached" : $"computed ({computed.Length} stages)")} in {seconds:0.0} s"));
            return new CellResult(cell, computed.IsEmpty, seconds, computed, run[EvaluateStage.Name].Key!.Value.Hex, table[cell.Model].Mean,
                [.. models.Ranks.Where(r => r.Model == cell.Model).Select(r => (r.SampleId, r.Rank))],
                label, !models.Facts.Views.IsEmpty, usedLlm);
        });
    }

    static async Task WriteAtomicallyAsync(string path, string text, CancellationToken ct)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllTextAsync(temporary, text, ct);
            if (await File.ReadAllTextAsync(temporary, ct) != text) throw new IOException($"{temporary} does not read back as written");
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}

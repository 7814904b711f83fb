using System.CommandLine;
using Llm4Sbr.Cli.Commands;
using LanguageExt.Common;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Engine.Pipelines;
using Outcome = LanguageExt.Fin<LanguageExt.Unit>;

namespace Llm4Sbr.Cli;

/// <summary>The <c>llm4sbr</c> command line. <see cref="RunAsync(string[], CliHost, CancellationToken)"/>
/// is the whole program; tests call it in-process with their own <see cref="CliHost"/>.</summary>
public static class CliApp
{
    public static Task<int> RunAsync(string[] args, CliHost host, CancellationToken ct = default) =>
        RunAsync(args, host, settings => StageCatalogs.Product(host, settings.Cache), ct);

    public static Task<int> RunAsync(string[] args, CliHost host, StageCatalog catalog, CancellationToken ct = default) =>
        RunAsync(args, host, _ => catalog, ct);

    /// <param name="catalogFor">The stage graph for a command's settings (the intent stages keep
    /// their LLM and embedding caches under the command's cache root).</param>
    public static async Task<int> RunAsync(string[] args, CliHost host, Func<CommandSettings, StageCatalog> catalogFor, CancellationToken ct = default)
    {
        var cache = new Option<string?>("--cache")
        {
            Description = $"Cache folder (default: ${PipelineWorkspace.CacheVariable}, else .cache/ in the repository)",
            Recursive = true,
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Debug logging and stack traces on failure", Recursive = true };
        var progress = ProgressOption();

        var overrides = new PipelineOptions();
        var root = new RootCommand("llm4sbr: LLM-enhanced session-based recommendation as a memoized dataflow of stages");
        root.Options.Add(cache);
        root.Options.Add(verbose);
        root.Options.Add(progress);

        Argument<string> Pipeline() => new("pipeline") { Description = "A pipeline file, or a name in pipelines/ (e.g. movielens-small)" };
        Option<bool> Json(string what) => new("--json") { Description = $"Print {what} as one JSON object" };
        Option<string?> Out() => new("--out") { Description = "Folder for the run's outputs (default: runs/PIPELINE/ in the repository)" };

        {
            var pipeline = Pipeline();
            var json = Json("the dataset's figures");
            var output = Out();
            var prepare = new Command("prepare", "Run the data stages (load, sessions, split, samples) and print the dataset's figures")
                { pipeline, json, output };
            overrides.AddTo(prepare);
            prepare.SetAction((parse, token) => Guard(host, parse.GetValue(verbose), () =>
                WithCommands(host, catalogFor, overrides, parse, progress, new CommandSettings(
                    parse.GetValue(pipeline)!, parse.GetValue(json), parse.GetValue(cache), parse.GetValue(output), parse.GetValue(verbose)),
                    commands => commands.PrepareAsync(token)), token));
            root.Subcommands.Add(prepare);
        }
        {
            var pipeline = Pipeline();
            var json = Json("a summary per stage");
            var output = Out();
            var until = new Option<string?>("--until") { Description = "Run this stage and the stages it needs only" };
            var force = new Option<string[]>("--force")
            {
                Description = "Recompute this stage and every stage downstream of it, even if cached (repeatable)",
                DefaultValueFactory = _ => [],
            };
            var run = new Command("run", "Run the pipeline's stages, reusing every cached one") { pipeline, until, force, output, json };
            overrides.AddTo(run);
            run.SetAction((parse, token) => Guard(host, parse.GetValue(verbose), () =>
                WithCommands(host, catalogFor, overrides, parse, progress, new CommandSettings(
                    parse.GetValue(pipeline)!, parse.GetValue(json), parse.GetValue(cache), parse.GetValue(output), parse.GetValue(verbose),
                    parse.GetValue(until), [.. parse.GetValue(force) ?? []]),
                    commands => commands.RunAsync(token)), token));
            root.Subcommands.Add(run);
        }
        {
            var pipeline = Pipeline();
            var json = Json("the state of each stage");
            var output = Out();
            var until = new Option<string?>("--until") { Description = "Show this stage and the stages it needs only" };
            var status = new Command("status", "Show which of the stages run would run are cached, stale or missing") { pipeline, until, output, json };
            overrides.AddTo(status);
            status.SetAction((parse, token) => Guard(host, parse.GetValue(verbose), () =>
                WithCommands(host, catalogFor, overrides, parse, progress, new CommandSettings(
                    parse.GetValue(pipeline)!, parse.GetValue(json), parse.GetValue(cache), parse.GetValue(output), parse.GetValue(verbose),
                    parse.GetValue(until)),
                    commands => commands.StatusAsync(token)), token));
            root.Subcommands.Add(status);
        }

        root.Subcommands.Add(RecommendCommand.Create(host, verbose, cache));
        root.Subcommands.Add(ExperimentCommand.Create(host, cache, verbose, progress, catalogFor));

        var parsed = root.Parse(args);
        var code = await parsed.InvokeAsync(new InvocationConfiguration
        {
            Output = host.Out,
            Error = host.Error,
            // Ctrl+C and SIGTERM cancel the commands' token (a stage stops at its next batch, the command
            // ends with "error: canceled", exit 130). A configuration built here has no timeout of its own,
            // and without one System.CommandLine leaves the signals alone: the process died on the spot.
            ProcessTerminationTimeout = CancellationGrace,
        }, ct);
        // A command line that does not parse (a missing required option, an unknown one) is a usage
        // error like an invalid pipeline: exit 2, never 1 ("a stage failed").
        return parsed.Errors.Count > 0 ? ExitCodes.Invalid : code;
    }

    /// <summary>How long a command may take to stop after Ctrl+C or SIGTERM before the process exits anyway
    /// (130 or 143): a training step or an evaluation chunk ends well within it.</summary>
    public static readonly TimeSpan CancellationGrace = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="command"/> with the settings and overrides; malformed overrides are
    /// a usage error (exit 2) and nothing runs.</summary>
    static Task<Outcome> WithCommands(CliHost host, Func<CommandSettings, StageCatalog> catalogFor, PipelineOptions overrides,
        ParseResult parse, Option<string> progress, CommandSettings settings, Func<PipelineCommands, Task<Outcome>> command) =>
        overrides.Read(parse).FailsAs(FailureKind.Invalid).BindAsync(async read =>
        {
            var withOverrides = settings with { Overrides = read, Progress = ReadProgress(parse, progress) };
            using var commands = new PipelineCommands(host, catalogFor(withOverrides), withOverrides);
            return await command(commands);
        });

    /// <summary><c>--progress auto|lines|none</c>, for every command that runs stages.</summary>
    internal static Option<string> ProgressOption()
    {
        var option = new Option<string>("--progress")
        {
            Description = "How a run shows progress: auto (bars on a terminal, else timestamped lines on standard error), lines, or none",
            DefaultValueFactory = _ => "auto",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("auto", "lines", "none");
        return option;
    }

    /// <summary>The style the user asked for; null for <c>auto</c>.</summary>
    internal static Rendering.ProgressStyle? ReadProgress(ParseResult parse, Option<string> option) => parse.GetValue(option) switch
    {
        "lines" => Rendering.ProgressStyle.Lines,
        "none" => Rendering.ProgressStyle.None,
        _ => null,
    };

    /// <summary>The edge where a command's outcome becomes its exit code, the one place
    /// (<see cref="CommandFailure.ExitCode"/>): a failure, or an exception (a bug, an I/O failure) like any
    /// other failure; the stack trace only with --verbose.</summary>
    internal static async Task<int> Guard(CliHost host, bool verbose, Func<Task<Outcome>> command, CancellationToken ct)
    {
        Outcome outcome;
        Exception? thrown = null;
        try
        {
            outcome = await command();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = CommandFailure.Fail(Error.New("canceled"), FailureKind.Canceled);
        }
        catch (Exception e)
        {
            outcome = CommandFailure.Fail(Error.New(e.Message), FailureKind.RunFailed);
            thrown = e;
        }
        var code = CommandFailure.ExitCode(host, outcome);
        if (verbose && thrown is not null) await host.Error.WriteLineAsync(thrown.ToString());
        return code;
    }
}

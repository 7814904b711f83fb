using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Cli;

/// <summary>What kind of failure ended a command.</summary>
public enum FailureKind
{
    /// <summary>The pipeline, an option or an argument is invalid; nothing ran.</summary>
    Invalid,
    /// <summary>A stage failed, or something broke while running.</summary>
    RunFailed,
    Canceled,
}

/// <summary>A command's failure and its kind, which decides the exit code. It is an error value like
/// any other, so a command composes its steps with <c>Bind</c> and tags a step's failure where it
/// knows the kind (<see cref="CommandFailure.FailsAs{A}"/>).</summary>
public sealed record CommandError : Expected
{
    public CommandError(Error error, FailureKind kind) : base(error.Message, error.Code, Some(error))
    {
        Error = error;
        Kind = kind;
    }

    public Error Error { get; }
    public FailureKind Kind { get; }
}

/// <summary>The one place where a failure becomes what the user sees: one line on standard error
/// and the exit code of its kind. Commands return a <see cref="Fin{A}"/>; <see cref="CliApp.Guard"/>
/// turns it (or an exception) into the exit code here.</summary>
public static class CommandFailure
{
    /// <summary>A command's outcome as its exit code; a failure not tagged with a kind is a failed run.</summary>
    public static int ExitCode(CliHost host, Fin<Unit> outcome) =>
        outcome.Match(
            Succ: _ => ExitCodes.Ok,
            Fail: error => error is CommandError failure
                ? Report(host, failure.Error, failure.Kind)
                : Report(host, error, FailureKind.RunFailed));

    /// <summary>The failure of <paramref name="fin"/>, if any, tagged with its kind (a failure already
    /// tagged keeps its kind).</summary>
    public static Fin<A> FailsAs<A>(this Fin<A> fin, FailureKind kind) =>
        fin.BiMap(value => value, error => Fail(error, kind));

    public static async Task<Fin<A>> FailsAs<A>(this Task<Fin<A>> fin, FailureKind kind) =>
        (await fin).FailsAs(kind);

    /// <summary><paramref name="error"/> tagged with its kind (a failure already tagged keeps its kind).</summary>
    public static Error Fail(Error error, FailureKind kind) =>
        error is CommandError ? error : new CommandError(error, kind);

    public static int Report(CliHost host, Error error, FailureKind kind)
    {
        try
        {
            host.Error.WriteLine($"error: {OneLine(error)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Standard error is closed or a broken pipe: the exit code is all that can still say it
            // (without this the write's exception aborted the process, exit 134 instead of 1 or 2).
        }
        return kind switch
        {
            FailureKind.Invalid => ExitCodes.Invalid,
            FailureKind.Canceled => ExitCodes.Canceled,
            _ => ExitCodes.RunFailed,
        };
    }

    /// <summary>All of an error's messages on one line (several validation errors are joined).</summary>
    public static string OneLine(Error error) =>
        string.Join("; ", Flatten(error).Select(e => e.Message.ReplaceLineEndings(" ")));

    static IEnumerable<Error> Flatten(Error error) =>
        error is ManyErrors many ? many.Errors.SelectMany(Flatten) : [error];
}

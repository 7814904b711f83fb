using LanguageExt.Common;

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

/// <summary>The one place where a failure becomes what the user sees: one line on standard error
/// and the exit code of its kind. Every command and <see cref="CliApp.Guard"/> end a failure here.</summary>
public static class CommandFailure
{
    public static int Report(CliHost host, Error error, FailureKind kind)
    {
        host.Error.WriteLine($"error: {OneLine(error)}");
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

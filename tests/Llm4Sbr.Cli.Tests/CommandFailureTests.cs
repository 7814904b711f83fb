using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Cli.Tests;

/// <summary>The one place a failure becomes a line on standard error and an exit code.</summary>
public sealed class CommandFailureTests
{
    static (int Code, string Error, string Out) Report(Error error, FailureKind kind)
    {
        var (output, errors) = (new StringWriter(), new StringWriter());
        var code = CommandFailure.Report(new CliHost(output, errors, ".", _ => null, false, null), error, kind);
        return (code, errors.ToString(), output.ToString());
    }

    [Fact]
    public void Each_kind_has_its_exit_code_and_the_message_is_one_line_on_standard_error()
    {
        Assert.Equal((ExitCodes.Invalid, $"error: bad key{Environment.NewLine}", ""), Report(Error.New("bad key"), FailureKind.Invalid));
        Assert.Equal(ExitCodes.RunFailed, Report(Error.New("stage x failed"), FailureKind.RunFailed).Code);
        Assert.Equal(ExitCodes.Canceled, Report(Error.New("canceled"), FailureKind.Canceled).Code);
    }

    [Fact]
    public void A_closed_standard_error_still_gives_the_exit_code()
    {
        var closed = new StringWriter();
        closed.Dispose();                                                 // writing now throws ObjectDisposedException
        Assert.Equal(ExitCodes.RunFailed, CommandFailure.Report(new CliHost(new StringWriter(), closed, ".", _ => null, false, null),
            Error.New("stage 'load' failed"), FailureKind.RunFailed));
    }

    [Fact]
    public void Several_errors_and_multi_line_messages_are_joined_on_one_line()
    {
        var (_, error, _) = Report(Error.Many(Error.New("first\nline"), Error.New("second")), FailureKind.Invalid);
        Assert.Equal($"error: first line; second{Environment.NewLine}", error);
    }

    static (int Code, string Error) ExitCode(Fin<Unit> outcome)
    {
        var errors = new StringWriter();
        var code = CommandFailure.ExitCode(new CliHost(new StringWriter(), errors, ".", _ => null, false, null), outcome);
        return (code, errors.ToString());
    }

    [Fact]
    public void An_outcome_becomes_the_exit_code_of_its_failure_kind_and_a_failure_keeps_its_first_kind()
    {
        Assert.Equal((ExitCodes.Ok, ""), ExitCode(FinSucc(unit)));
        Assert.Equal((ExitCodes.Invalid, $"error: bad key{Environment.NewLine}"),
            ExitCode(FinFail<Unit>(Error.New("bad key")).FailsAs(FailureKind.Invalid)));
        Assert.Equal(ExitCodes.Canceled, ExitCode(CommandFailure.Fail(Error.New("canceled"), FailureKind.Canceled)).Code);
        // A failure tagged deep inside keeps its kind when an outer step tags failures too.
        Assert.Equal(ExitCodes.RunFailed,
            ExitCode(FinFail<Unit>(CommandFailure.Fail(Error.New("stage x failed"), FailureKind.RunFailed)).FailsAs(FailureKind.Invalid)).Code);
        // A failure nobody tagged is a failed run.
        Assert.Equal(ExitCodes.RunFailed, ExitCode(FinFail<Unit>(Error.New("broken"))).Code);
    }
}

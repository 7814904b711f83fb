using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Loading;

namespace Llm4Sbr.Core.Errors;

/// <summary>The one place the data stages build their error values and messages, so wording and
/// codes stay consistent across loaders and protocol stages.</summary>
public static class DataErrors
{
    public static Error FileNotFound(string role, string path, string? hint = null) =>
        Error.New(ErrorCodes.FileNotFound,
            $"{role} file not found: {path}" + (hint is null ? "" : $" ({hint})"));

    public static Error FileUnreadable(string role, string path, string reason) =>
        Error.New(ErrorCodes.FileUnreadable, $"{role} file could not be read: {path}: {reason}");

    public static Error EmptyFile(string file, IEnumerable<string> expectedColumns) =>
        Error.New(ErrorCodes.EmptyFile,
            $"{file}:1: no header line (the file is empty or starts with a blank line); expected a header with the columns {Quoted(expectedColumns)}");

    public static Error MissingColumn(string file, string column, IEnumerable<string> headerColumns) =>
        new LineError(
            new LineIssue(file, 1, column, $"missing column (the header has {Quoted(headerColumns)})"),
            SkipReasons.MissingColumn, ErrorCodes.MissingColumn);

    /// <summary>A stage option outside its valid range or set; the message names the option and
    /// what would be accepted.</summary>
    public static Error InvalidOption(string option, object? value, string validValues) =>
        Error.New(ErrorCodes.InvalidOption, $"invalid value '{value}' for '{option}': expected {validValues}");

    /// <summary>Lists an enum's names, for "valid options" in error messages.</summary>
    public static string ValidNames<TEnum>() where TEnum : struct, Enum =>
        string.Join(" | ", Enum.GetNames<TEnum>());

    private static string Quoted(IEnumerable<string> names) =>
        string.Join(", ", names.Select(n => $"'{n}'"));

    /// <summary>The <c>sessions</c> stage kept no session: said before any expensive stage runs on nothing,
    /// with what removed them and the settings that did.</summary>
    public static Error NoSessions(Protocols.SessionsReport report, Protocols.SessionizeOptions options) =>
        Error.New(ErrorCodes.NoData, report.InputEvents == 0
            ? "the dataset has no interactions (dataset.interactions holds no event): there is nothing to make sessions of"
            : $"no session is left: {report.InputEvents:N0} events made {report.SessionsBuilt:N0} sessions, of which "
              + $"{report.DroppedShort:N0} were shorter than sessions.min_length ({options.MinLength}) and "
              + $"{report.DroppedRareItem:N0} held an item seen fewer than sessions.min_item_support ({options.MinItemSupport}) times");

    /// <summary>The <c>split</c> stage left one side empty.</summary>
    public static Error EmptySplit(int sessions, double trainFraction, int train) =>
        Error.New(ErrorCodes.NoData,
            $"split.train_fraction {trainFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)} of {sessions:N0} session{(sessions == 1 ? "" : "s")} "
            + $"leaves {(train == 0 ? "no training session" : "no test session")}: the first floor(fraction x sessions) train, the rest test");

    /// <summary>The <c>samples</c> stage made no sample on one side: its sessions are all one click long.</summary>
    public static Error NoSamples(string side) =>
        Error.New(ErrorCodes.NoData,
            $"no {side} sample: every {side} session is one click long, and a sample needs a click before its target (sessions.min_length: 2 drops such sessions)");
}

namespace Llm4Sbr.Core.Errors;

/// <summary>Why a line was rejected: the keys of <c>LoadReport.SkippedByReason</c>. Short,
/// kebab-case and stable, because reports and tests compare them.</summary>
public static class SkipReasons
{
    /// <summary>The line has more or fewer fields than its format (or header) says.</summary>
    public const string WrongFieldCount = "wrong-field-count";
    /// <summary>A numeric field (id, timestamp, rating) does not parse as a number of the right kind.</summary>
    public const string NotANumber = "not-a-number";
    /// <summary>A required field is empty.</summary>
    public const string EmptyField = "empty-field";
    /// <summary>RFC 4180 quoting is broken: a quote inside an unquoted field, text after a closing
    /// quote, or a quoted field still open at the end of the file.</summary>
    public const string MalformedQuotes = "malformed-quotes";
    /// <summary>The line holds a byte sequence that is invalid in the file's encoding (decoded as U+FFFD).</summary>
    public const string InvalidEncoding = "invalid-encoding";
    /// <summary>An items file lists the same item id twice (the first line wins when skipping).</summary>
    public const string DuplicateItemId = "duplicate-item-id";
    /// <summary>A sessions.txt file lists the same session id on two lines (the first line wins when skipping).</summary>
    public const string DuplicateSessionId = "duplicate-session-id";
    /// <summary>A sessions.txt line has a session id but no items.</summary>
    public const string NoItems = "no-items";
    /// <summary>A header lacks a required column. Never skippable: the whole file is unusable.</summary>
    public const string MissingColumn = "missing-column";
    /// <summary>A line that is empty or only whitespace. It carries no data, so it never fails a
    /// load; it is still counted so nothing is dropped silently.</summary>
    public const string BlankLine = "blank-line";
}

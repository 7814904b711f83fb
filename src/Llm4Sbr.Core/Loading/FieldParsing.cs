using System.Globalization;
using Llm4Sbr.Core.Errors;

namespace Llm4Sbr.Core.Loading;

/// <summary>Span-based parsing of the numeric fields every format shares, plus the wording of
/// the error when a field does not parse.</summary>
internal static class FieldParsing
{
    private const NumberStyles Whole = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite;
    private const NumberStyles SignedWhole = Whole | NumberStyles.AllowLeadingSign;

    public const string ItemIdExpectation = "a non-negative whole number that fits in 32 bits (an item id)";
    public const string KeyExpectation = "a non-negative whole number that fits in 64 bits (a session or user id)";
    public const string TimestampExpectation = "a whole number of Unix seconds";
    public const string RatingExpectation = "a finite decimal number (a rating)";

    public static bool TryItemId(ReadOnlySpan<char> text, out int id) =>
        int.TryParse(text, Whole, CultureInfo.InvariantCulture, out id);

    public static bool TryKey(ReadOnlySpan<char> text, out long key) =>
        long.TryParse(text, Whole, CultureInfo.InvariantCulture, out key);

    public static bool TryTimestamp(ReadOnlySpan<char> text, out long seconds) =>
        long.TryParse(text, SignedWhole, CultureInfo.InvariantCulture, out seconds);

    /// <summary>Ratings are ignored (implicit feedback) but must still be numbers, so a shifted or
    /// corrupt line is caught rather than read as a click.</summary>
    public static bool IsRating(ReadOnlySpan<char> text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value);

    /// <summary>The reason and message for a field that did not parse.</summary>
    public static (string Reason, string Message) Describe(ReadOnlySpan<char> text, string expectation) =>
        text.IsWhiteSpace()
            ? (SkipReasons.EmptyField, $"empty; expected {expectation}")
            : (SkipReasons.NotANumber, $"'{Shorten(text)}' is not {expectation}");

    public static string Shorten(ReadOnlySpan<char> text) =>
        text.Length <= 40 ? text.ToString() : string.Concat(text[..37], "...");

    public static string FieldCountMessage(int expected, int found, string separator, IReadOnlyList<string> names) =>
        $"expected {expected} fields separated by '{separator}' ({string.Join(separator, names)}), found {found}";

    /// <summary>Which field to blame for a wrong field count: the first missing one, or the first extra one.</summary>
    public static string FieldCountCulprit(int found, IReadOnlyList<string> names) =>
        found < names.Count ? names[found] : $"field {names.Count + 1}";

    public const string EncodingMessage =
        "holds an invalid byte sequence for the file's encoding (decoded as U+FFFD)";

    public static bool HasInvalidEncoding(ReadOnlySpan<char> text) => text.Contains('\uFFFD');
}

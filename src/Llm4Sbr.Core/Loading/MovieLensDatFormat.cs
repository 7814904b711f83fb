using System.Collections.Immutable;
using System.Runtime.InteropServices;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Loading;

/// <summary>MovieLens-1M as GroupLens ships it: <c>ratings.dat</c>
/// (<c>UserID::MovieID::Rating::Timestamp</c>) and <c>movies.dat</c>
/// (<c>MovieID::Title::Genres</c>), no header, ISO-8859-1 text (the reader must decode Latin1;
/// <see cref="DatasetDecoding"/> does). The user is the session key; timestamps are Unix seconds;
/// the rating is ignored (implicit feedback) but must parse as a number.</summary>
public static class MovieLensDatFormat
{
    public const string Separator = "::";
    public static readonly IReadOnlyList<string> RatingFields = ["UserID", "MovieID", "Rating", "Timestamp"];
    public static readonly IReadOnlyList<string> MovieFields = ["MovieID", "Title", "Genres"];

    public static Fin<ParsedEvents> ParseRatings(TextReader reader, string file, LoadOptions options)
    {
        var log = new IssueLog(file, options);
        var events = new List<Event>(4096);
        Span<Range> fields = stackalloc Range[5];
        long lineNumber = 0;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                log.Blank();
                continue;
            }
            var fatal = ParseRating(line, lineNumber, fields, log, events);
            if (fatal is not null) return FinFail<ParsedEvents>(fatal);
        }
        return FinSucc(new ParsedEvents(ImmutableCollectionsMarshal.AsImmutableArray(events.ToArray()), log.ToTally(lineNumber)));
    }

    public static Fin<ParsedItems> ParseMovies(TextReader reader, string file, LoadOptions options)
    {
        var log = new IssueLog(file, options);
        var catalogue = new ItemCatalogueBuilder(log);
        Span<Range> fields = stackalloc Range[4];
        long lineNumber = 0;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                log.Blank();
                continue;
            }
            var span = line.AsSpan();
            var fatal = Split(span, lineNumber, fields, MovieFields, log) is { } problem
                ? problem.Error
                : catalogue.Add(lineNumber, MovieFields[0], span[fields[0]], span[fields[1]]);
            if (fatal is not null) return FinFail<ParsedItems>(fatal);
        }
        return FinSucc(catalogue.Build(lineNumber));
    }

    private static LineError? ParseRating(string line, long lineNumber, Span<Range> fields, IssueLog log, List<Event> events)
    {
        var span = line.AsSpan();
        if (Split(span, lineNumber, fields, RatingFields, log) is { } problem) return problem.Error;

        var user = span[fields[0]];
        if (!FieldParsing.TryKey(user, out var key)) return Reject(log, lineNumber, RatingFields[0], user, FieldParsing.KeyExpectation);
        var movie = span[fields[1]];
        if (!FieldParsing.TryItemId(movie, out var item)) return Reject(log, lineNumber, RatingFields[1], movie, FieldParsing.ItemIdExpectation);
        var rating = span[fields[2]];
        if (!FieldParsing.IsRating(rating)) return Reject(log, lineNumber, RatingFields[2], rating, FieldParsing.RatingExpectation);
        var time = span[fields[3]];
        if (!FieldParsing.TryTimestamp(time, out var timestamp)) return Reject(log, lineNumber, RatingFields[3], time, FieldParsing.TimestampExpectation);

        events.Add(new Event(key, item, timestamp));
        return null;
    }

    /// <summary>Splits on <c>::</c>; null when the line has exactly the expected fields, else the
    /// rejection (its Error is null when the line was skipped).</summary>
    private static Rejection? Split(ReadOnlySpan<char> line, long lineNumber, Span<Range> fields, IReadOnlyList<string> names, IssueLog log)
    {
        if (FieldParsing.HasInvalidEncoding(line))
            return new Rejection(log.Reject(lineNumber, "(line)", SkipReasons.InvalidEncoding, FieldParsing.EncodingMessage));
        var count = line.Split(fields, Separator);
        if (count == names.Count) return null;
        var found = line.Count(Separator) + 1;
        return new Rejection(log.Reject(lineNumber, FieldParsing.FieldCountCulprit(found, names), SkipReasons.WrongFieldCount,
            FieldParsing.FieldCountMessage(names.Count, found, Separator, names)));
    }

    private static LineError? Reject(IssueLog log, long line, string field, ReadOnlySpan<char> text, string expectation)
    {
        var (reason, message) = FieldParsing.Describe(text, expectation);
        return log.Reject(line, field, reason, message);
    }

    private sealed record Rejection(LineError? Error);
}

using System.Collections.Immutable;
using System.Runtime.InteropServices;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Loading;

/// <summary>Amazon Beauty as the paper's code has it: <c>sessions.txt</c>, one session per line
/// (<c>session_id item item ...</c>, separated by spaces or tabs, items in click order, no header)
/// and <c>items.csv</c> (<c>item_id,asin,title</c>, header, RFC 4180). The file has no clock, so an
/// event's <see cref="Event.Timestamp"/> is its position in the line (0, 1, 2, ...): ordering by
/// (timestamp, item) keeps the file's order.</summary>
public static class AmazonSessionsFormat
{
    public const string SessionIdField = "session_id";
    public const string ItemIdColumn = "item_id";
    public const string TitleColumn = "title";

    /// <summary>Parses sessions.txt. A line with a session id but no items, and a session id seen on
    /// an earlier line, are rejected (two lines would otherwise merge into one session).</summary>
    public static Fin<ParsedEvents> ParseSessions(TextReader reader, string file, LoadOptions options)
    {
        var log = new IssueLog(file, options);
        var events = new List<Event>(16384);
        var lineBySession = new Dictionary<long, long>(4096);
        long lineNumber = 0;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                log.Blank();
                continue;
            }
            var fatal = ParseLine(line, lineNumber, log, events, lineBySession);
            if (fatal is not null) return FinFail<ParsedEvents>(fatal);
        }
        return FinSucc(new ParsedEvents(ImmutableCollectionsMarshal.AsImmutableArray(events.ToArray()), log.ToTally(lineNumber)));
    }

    /// <summary>Parses items.csv: columns <c>item_id</c> and <c>title</c> by name (<c>asin</c> is ignored).</summary>
    public static Fin<ParsedItems> ParseItems(TextReader reader, string file, LoadOptions options) =>
        CsvItems.Parse(reader, file, options, ItemIdColumn, TitleColumn);

    private static LineError? ParseLine(string line, long lineNumber, IssueLog log, List<Event> events, Dictionary<long, long> lineBySession)
    {
        var span = line.AsSpan();
        if (FieldParsing.HasInvalidEncoding(span))
            return log.Reject(lineNumber, "(line)", SkipReasons.InvalidEncoding, FieldParsing.EncodingMessage);

        var rest = span.TrimStart();
        var keyText = NextToken(ref rest);
        if (!FieldParsing.TryKey(keyText, out var key))
        {
            var (reason, message) = FieldParsing.Describe(keyText, FieldParsing.KeyExpectation);
            return log.Reject(lineNumber, SessionIdField, reason, message);
        }
        if (lineBySession.TryGetValue(key, out var firstLine))
            return log.Reject(lineNumber, SessionIdField, SkipReasons.DuplicateSessionId,
                $"session {key} already appeared on line {firstLine}");
        if (rest.IsWhiteSpace())
            return log.Reject(lineNumber, "item 1", SkipReasons.NoItems, $"session {key} has no items");

        // Parse the whole line before adding anything, so a rejected line leaves no partial session.
        var start = events.Count;
        var position = 0;
        while (!rest.IsEmpty)
        {
            var itemText = NextToken(ref rest);
            if (!FieldParsing.TryItemId(itemText, out var item))
            {
                events.RemoveRange(start, events.Count - start);
                var (reason, message) = FieldParsing.Describe(itemText, FieldParsing.ItemIdExpectation);
                return log.Reject(lineNumber, $"item {position + 1}", reason, message);
            }
            events.Add(new Event(key, item, position));
            position++;
        }
        lineBySession.Add(key, lineNumber);
        return null;
    }

    /// <summary>Cuts the next space- or tab-separated token off <paramref name="rest"/>.</summary>
    private static ReadOnlySpan<char> NextToken(ref ReadOnlySpan<char> rest)
    {
        var end = rest.IndexOfAny(' ', '\t');
        var token = end < 0 ? rest : rest[..end];
        rest = end < 0 ? [] : rest[end..].TrimStart();
        return token;
    }
}

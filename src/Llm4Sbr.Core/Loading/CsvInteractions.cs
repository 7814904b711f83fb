using System.Collections.Immutable;
using System.Runtime.InteropServices;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Loading;

/// <summary>Which header columns of an interactions CSV hold what. <see cref="Rating"/> is
/// optional: when given, the column must exist and hold numbers, but its value is not kept.</summary>
internal sealed record InteractionColumns(string Key, string Item, string Timestamp, string? Rating);

/// <summary>Interactions CSV with a header (MovieLens ratings.csv, the generic format).</summary>
internal static class CsvInteractions
{
    public static Fin<ParsedEvents> Parse(TextReader reader, string file, LoadOptions options, InteractionColumns columns)
    {
        var csv = new CsvRecordReader(reader);
        string[] required = columns.Rating is null
            ? [columns.Key, columns.Item, columns.Timestamp]
            : [columns.Key, columns.Item, columns.Timestamp, columns.Rating];
        return CsvHeader.Read(csv, file, required).Bind(header => ParseBody(csv, header, file, options, columns));
    }

    private static Fin<ParsedEvents> ParseBody(CsvRecordReader csv, CsvHeader header, string file, LoadOptions options, InteractionColumns columns)
    {
        int keyAt = header.RequiredIndexes[0], itemAt = header.RequiredIndexes[1], timeAt = header.RequiredIndexes[2];
        var ratingAt = columns.Rating is null ? -1 : header.RequiredIndexes[3];

        var log = new IssueLog(file, options);
        var events = new List<Event>(4096);
        while (true)
        {
            var status = csv.Read();
            if (status == CsvReadStatus.End) break;
            LineError? fatal;
            switch (status)
            {
                case CsvReadStatus.Blank:
                    log.Blank();
                    continue;
                case CsvReadStatus.InvalidEncoding:
                    fatal = log.Reject(csv.RecordLine, "(line)", SkipReasons.InvalidEncoding, FieldParsing.EncodingMessage);
                    break;
                case CsvReadStatus.Malformed:
                    fatal = log.Reject(csv.RecordLine, header.NameAt(csv.ProblemField), SkipReasons.MalformedQuotes, csv.Problem);
                    break;
                default:
                    fatal = ReadRecord(csv, header, log, events, keyAt, itemAt, timeAt, ratingAt);
                    break;
            }
            if (fatal is not null) return FinFail<ParsedEvents>(fatal);
        }
        return FinSucc(new ParsedEvents(ImmutableCollectionsMarshal.AsImmutableArray(events.ToArray()), log.ToTally(csv.LinesRead)));
    }

    private static LineError? ReadRecord(
        CsvRecordReader csv, CsvHeader header, IssueLog log, List<Event> events, int keyAt, int itemAt, int timeAt, int ratingAt)
    {
        var line = csv.RecordLine;
        if (csv.FieldCount != header.FieldCount)
            return log.Reject(line, FieldParsing.FieldCountCulprit(csv.FieldCount, header.Names), SkipReasons.WrongFieldCount,
                FieldParsing.FieldCountMessage(header.FieldCount, csv.FieldCount, ",", header.Names));

        if (!FieldParsing.TryKey(csv.Field(keyAt), out var key))
            return Reject(log, line, header.Names[keyAt], csv.Field(keyAt), FieldParsing.KeyExpectation);
        if (!FieldParsing.TryItemId(csv.Field(itemAt), out var item))
            return Reject(log, line, header.Names[itemAt], csv.Field(itemAt), FieldParsing.ItemIdExpectation);
        if (!FieldParsing.TryTimestamp(csv.Field(timeAt), out var timestamp))
            return Reject(log, line, header.Names[timeAt], csv.Field(timeAt), FieldParsing.TimestampExpectation);
        if (ratingAt >= 0 && !FieldParsing.IsRating(csv.Field(ratingAt)))
            return Reject(log, line, header.Names[ratingAt], csv.Field(ratingAt), FieldParsing.RatingExpectation);

        events.Add(new Event(key, item, timestamp));
        return null;
    }

    private static LineError? Reject(IssueLog log, long line, string field, ReadOnlySpan<char> text, string expectation)
    {
        var (reason, message) = FieldParsing.Describe(text, expectation);
        return log.Reject(line, field, reason, message);
    }
}

using System.Collections.Immutable;
using System.Runtime.InteropServices;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Loading;

/// <summary>Items CSV with a header (Amazon items.csv, MovieLens movies.csv, the generic format):
/// an id column and a title column found by name; other columns are ignored.</summary>
internal static class CsvItems
{
    public static Fin<ParsedItems> Parse(TextReader reader, string file, LoadOptions options, string idColumn, string titleColumn)
    {
        var csv = new CsvRecordReader(reader);
        return CsvHeader.Read(csv, file, [idColumn, titleColumn]).Bind(header => ParseBody(csv, header, file, options));
    }

    private static Fin<ParsedItems> ParseBody(CsvRecordReader csv, CsvHeader header, string file, LoadOptions options)
    {
        int idAt = header.RequiredIndexes[0], titleAt = header.RequiredIndexes[1];

        var log = new IssueLog(file, options);
        var catalogue = new ItemCatalogueBuilder(log);
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
                    fatal = csv.FieldCount != header.FieldCount
                        ? log.Reject(csv.RecordLine, FieldParsing.FieldCountCulprit(csv.FieldCount, header.Names), SkipReasons.WrongFieldCount,
                            FieldParsing.FieldCountMessage(header.FieldCount, csv.FieldCount, ",", header.Names))
                        : catalogue.Add(csv.RecordLine, header.Names[idAt], csv.Field(idAt), csv.Field(titleAt));
                    break;
            }
            if (fatal is not null) return FinFail<ParsedItems>(fatal);
        }
        return FinSucc(catalogue.Build(csv.LinesRead));
    }
}

/// <summary>Accumulates the items of one file: parses the id, rejects duplicate ids (the first
/// line wins), and gives an empty title the placeholder <c>item &lt;id&gt;</c> with
/// <c>HasTitle = false</c>. Shared by every items format.</summary>
internal sealed class ItemCatalogueBuilder(IssueLog log)
{
    private readonly List<Item> _items = new(1024);
    private readonly Dictionary<int, long> _lineById = new(1024);
    private int _withoutTitle;

    public LineError? Add(long line, string idField, ReadOnlySpan<char> idText, ReadOnlySpan<char> title)
    {
        if (!FieldParsing.TryItemId(idText, out var id))
        {
            var (reason, message) = FieldParsing.Describe(idText, FieldParsing.ItemIdExpectation);
            return log.Reject(line, idField, reason, message);
        }
        if (!_lineById.TryAdd(id, line))
            return log.Reject(line, idField, SkipReasons.DuplicateItemId,
                $"item id {id} was already defined on line {_lineById[id]}");

        if (title.IsWhiteSpace())
        {
            _withoutTitle++;
            _items.Add(new Item(id, Item.PlaceholderTitle(id), HasTitle: false));
        }
        else
        {
            _items.Add(new Item(id, title.ToString(), HasTitle: true));
        }
        return null;
    }

    public ParsedItems Build(long linesRead) =>
        new(ImmutableCollectionsMarshal.AsImmutableArray(_items.ToArray()), _withoutTitle, log.ToTally(linesRead));
}

using LanguageExt;

namespace Llm4Sbr.Core.Loading;

/// <summary>The generic format for any other dataset: an interactions CSV with the columns
/// <c>session_id,item_id,timestamp</c> and an items CSV with <c>item_id,title</c>. UTF-8,
/// RFC 4180, header required; columns are found by name (case-insensitive) so their order does
/// not matter and extra columns are ignored. Ids are whole numbers; timestamps are whole numbers
/// (Unix seconds, or any increasing counter when the protocol does not bucket by time).</summary>
public static class GenericCsvFormat
{
    public const string SessionColumn = "session_id";
    public const string ItemColumn = "item_id";
    public const string TimestampColumn = "timestamp";
    public const string TitleColumn = "title";

    public static Fin<ParsedEvents> ParseInteractions(TextReader reader, string file, LoadOptions options) =>
        CsvInteractions.Parse(reader, file, options, new InteractionColumns(SessionColumn, ItemColumn, TimestampColumn, Rating: null));

    public static Fin<ParsedItems> ParseItems(TextReader reader, string file, LoadOptions options) =>
        CsvItems.Parse(reader, file, options, ItemColumn, TitleColumn);
}

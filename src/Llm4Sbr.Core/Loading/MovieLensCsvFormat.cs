using LanguageExt;

namespace Llm4Sbr.Core.Loading;

/// <summary>MovieLens "latest" CSVs (ml-latest-small): <c>ratings.csv</c>
/// (<c>userId,movieId,rating,timestamp</c>) and <c>movies.csv</c> (<c>movieId,title,genres</c>),
/// UTF-8, RFC 4180 quoting (titles with commas are quoted), header required, columns found by
/// name. The user is the session key; timestamps are Unix seconds; the rating is ignored
/// (implicit feedback) but must parse as a number.</summary>
public static class MovieLensCsvFormat
{
    public const string UserColumn = "userId";
    public const string MovieColumn = "movieId";
    public const string RatingColumn = "rating";
    public const string TimestampColumn = "timestamp";
    public const string TitleColumn = "title";

    public static Fin<ParsedEvents> ParseRatings(TextReader reader, string file, LoadOptions options) =>
        CsvInteractions.Parse(reader, file, options, new InteractionColumns(UserColumn, MovieColumn, TimestampColumn, RatingColumn));

    public static Fin<ParsedItems> ParseMovies(TextReader reader, string file, LoadOptions options) =>
        CsvItems.Parse(reader, file, options, MovieColumn, TitleColumn);
}

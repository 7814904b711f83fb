using LanguageExt;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Loading;

/// <summary>The pure half of the <c>load</c> stage: text in, <see cref="LoadedData"/> out, for
/// any <see cref="DatasetFormat"/>. The caller supplies readers that decode the right encoding
/// (<see cref="DatasetDecoding"/> decodes streams; tests pass <see cref="StringReader"/>s).</summary>
public static class DatasetParsers
{
    /// <summary>Parses the items file, then the interactions file, and assembles the catalogue
    /// (see <see cref="CatalogueAssembly.Assemble"/> for unknown items and missing titles).
    /// <paramref name="interactionsFile"/> and <paramref name="itemsFile"/> are the names errors
    /// report.</summary>
    public static Fin<LoadedData> Parse(
        DatasetFormat format, TextReader interactions, string interactionsFile, TextReader items, string itemsFile, LoadOptions options)
    {
        if (options.MaxReportedIssues < 0)
            return FinFail<LoadedData>(DataErrors.InvalidOption("max_reported_issues", options.MaxReportedIssues, "a whole number >= 0"));

        Func<TextReader, string, LoadOptions, Fin<ParsedItems>>? parseItems = format switch
        {
            DatasetFormat.AmazonSessions => AmazonSessionsFormat.ParseItems,
            DatasetFormat.MovieLensCsv => MovieLensCsvFormat.ParseMovies,
            DatasetFormat.MovieLensDat => MovieLensDatFormat.ParseMovies,
            DatasetFormat.Generic => GenericCsvFormat.ParseItems,
            _ => null,
        };
        Func<TextReader, string, LoadOptions, Fin<ParsedEvents>>? parseEvents = format switch
        {
            DatasetFormat.AmazonSessions => AmazonSessionsFormat.ParseSessions,
            DatasetFormat.MovieLensCsv => MovieLensCsvFormat.ParseRatings,
            DatasetFormat.MovieLensDat => MovieLensDatFormat.ParseRatings,
            DatasetFormat.Generic => GenericCsvFormat.ParseInteractions,
            _ => null,
        };
        if (parseItems is null || parseEvents is null)
            return FinFail<LoadedData>(DataErrors.InvalidOption("format", format, DataErrors.ValidNames<DatasetFormat>()));

        return from parsedItems in parseItems(items, itemsFile, options)
               from parsedEvents in parseEvents(interactions, interactionsFile, options)
               select CatalogueAssembly.Assemble(parsedItems, parsedEvents, options);
    }
}

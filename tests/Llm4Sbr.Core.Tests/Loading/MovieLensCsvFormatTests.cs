using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Tests.Support;

namespace Llm4Sbr.Core.Tests.Loading;

public class MovieLensCsvFormatTests
{
    private static readonly LoadOptions Strict = new();

    private static ParsedItems Movies(string text, LoadOptions? options = null) =>
        FinAssert.Succ(MovieLensCsvFormat.ParseMovies(new StringReader(text), "movies.csv", options ?? Strict));

    private static Fin<ParsedEvents> Ratings(string text, LoadOptions? options = null) =>
        MovieLensCsvFormat.ParseRatings(new StringReader(text), "ratings.csv", options ?? Strict);

    [Fact]
    public void Ratings_become_events_keyed_by_user_with_unix_seconds_and_the_rating_ignored()
    {
        var parsed = FinAssert.Succ(Ratings("userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,0.5,964981247\n"));

        Assert.Equal([new Event(1, 1, 964982703), new Event(1, 3, 964981247)], parsed.Events.ToArray());
        Assert.Equal(3, parsed.Tally.LinesRead);
    }

    [Fact]
    public void Ratings_columns_are_found_by_name_in_any_order()
    {
        var parsed = FinAssert.Succ(Ratings("Timestamp,Rating,MovieId,UserId\n964982703,4.0,7,2\n"));

        Assert.Equal([new Event(2, 7, 964982703)], parsed.Events.ToArray());
    }

    [Fact]
    public void A_rating_that_is_not_a_number_is_rejected_even_though_it_is_ignored()
    {
        FinAssert.LineFail(Ratings("userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,good,964981247\n"),
            "ratings.csv", 3, "rating", SkipReasons.NotANumber);
    }

    [Fact]
    public void A_missing_field_names_the_first_missing_column()
    {
        var error = FinAssert.LineFail(Ratings("userId,movieId,rating,timestamp\n1,1,4.0\n"),
            "ratings.csv", 2, "timestamp", SkipReasons.WrongFieldCount);

        Assert.Contains("expected 4 fields", error.Message);
        Assert.Contains("found 3", error.Message);
    }

    [Fact]
    public void An_extra_field_is_a_wrong_field_count()
    {
        FinAssert.LineFail(Ratings("userId,movieId,rating,timestamp\n1,1,4.0,964982703,9\n"),
            "ratings.csv", 2, "field 5", SkipReasons.WrongFieldCount);
    }

    [Fact]
    public void An_empty_id_is_an_empty_field()
    {
        FinAssert.LineFail(Ratings("userId,movieId,rating,timestamp\n1,,4.0,964982703\n"),
            "ratings.csv", 2, "movieId", SkipReasons.EmptyField);
    }

    [Fact]
    public void A_missing_column_is_an_error_naming_it_even_when_skipping_bad_lines()
    {
        var error = FinAssert.LineFail(Ratings("userId,movieId,rating\n1,1,4.0\n", new LoadOptions(SkipBadLines: true)),
            "ratings.csv", 1, "timestamp", SkipReasons.MissingColumn);

        Assert.Equal(ErrorCodes.MissingColumn, error.Code);
    }

    [Fact]
    public void Quoted_titles_keep_their_commas_and_doubled_quotes_become_one_quote()
    {
        var parsed = Movies("movieId,title,genres\n" +
                            "318,\"Shawshank Redemption, The (1994)\",Crime|Drama\n" +
                            "7789,\"11'09\"\"01 - September 11 (2002)\",Drama\n" +
                            "1,Toy Story (1995),Adventure\n");

        Assert.Equal(
            [
                new Item(318, "Shawshank Redemption, The (1994)", true),
                new Item(7789, "11'09\"01 - September 11 (2002)", true),
                new Item(1, "Toy Story (1995)", true),
            ],
            parsed.Items.ToArray());
    }

    [Fact]
    public void Utf8_titles_pass_through_unchanged()
    {
        var parsed = Movies("movieId,title,genres\n5,\"Misérables, Les (1995)\",Drama\n6,Amélie (2001),Comedy\n");

        Assert.Equal(["Misérables, Les (1995)", "Amélie (2001)"], parsed.Items.Select(i => i.Title).ToArray());
    }

    [Fact]
    public void A_quoted_field_may_span_lines_and_later_lines_keep_their_numbers()
    {
        var result = MovieLensCsvFormat.ParseMovies(
            new StringReader("movieId,title,genres\n1,\"Two\nLines\",Drama\n2,x,Drama\nbad,y,Drama\n"), "movies.csv", Strict);

        FinAssert.LineFail(result, "movies.csv", 5, "movieId", SkipReasons.NotANumber);
        var parsed = Movies("movieId,title,genres\n1,\"Two\nLines\",Drama\n2,x,Drama\n");
        Assert.Equal("Two\nLines", parsed.Items[0].Title);
        Assert.Equal(4, parsed.Tally.LinesRead);
    }

    [Theory]
    [InlineData("movieId,title,genres\n1,\"Open title,Drama\n2,x,Drama\n", 2, "title")]
    [InlineData("movieId,title,genres\n1,\"Closed\" too early,Drama\n", 2, "title")]
    [InlineData("movieId,title,genres\n1,Say \"hi\",Drama\n", 2, "title")]
    [InlineData("movieId,title,genres\n1,x,Drama\n2,ok,\"Dra\"ma\n", 3, "genres")]
    public void Broken_quoting_is_a_malformed_line_naming_the_field(string text, long line, string field)
    {
        FinAssert.LineFail(MovieLensCsvFormat.ParseMovies(new StringReader(text), "movies.csv", Strict),
            "movies.csv", line, field, SkipReasons.MalformedQuotes);
    }

    [Fact]
    public void A_line_with_an_invalid_byte_sequence_is_rejected_with_its_line()
    {
        FinAssert.LineFail(MovieLensCsvFormat.ParseMovies(new StringReader("movieId,title,genres\n1,ok,Drama\n2,Mis\uFFFDrables,Drama\n"), "movies.csv", Strict),
            "movies.csv", 3, "(line)", SkipReasons.InvalidEncoding);
    }

    [Fact]
    public void Skipping_counts_every_bad_line_and_the_good_lines_survive()
    {
        var parsed = Movies("movieId,title,genres\n1,ok,Drama\n2,\"bad\"x,Drama\n3,also ok,Drama\nx,no,Drama\n4,short\n",
            new LoadOptions(SkipBadLines: true));

        Assert.Equal([1, 3], parsed.Items.Select(i => i.Id).ToArray());
        Assert.Equal(3, parsed.Tally.LinesSkipped);
        Assert.Equal(1, parsed.Tally.SkippedByReason[SkipReasons.MalformedQuotes]);
        Assert.Equal(1, parsed.Tally.SkippedByReason[SkipReasons.NotANumber]);
        Assert.Equal(1, parsed.Tally.SkippedByReason[SkipReasons.WrongFieldCount]);
        Assert.Equal([3L, 5, 6], parsed.Tally.Issues.Select(i => i.Line).ToArray());
    }

    [Fact]
    public void A_header_with_a_byte_order_mark_still_matches()
    {
        var parsed = Movies("\uFEFFmovieId,title,genres\n1,x,Drama\n");

        Assert.Single(parsed.Items);
    }
}

using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Tests.Support;

namespace Llm4Sbr.Core.Tests.Loading;

public class AmazonSessionsFormatTests
{
    private static readonly LoadOptions Strict = new();
    private static readonly LoadOptions Skipping = new(SkipBadLines: true, MaxReportedIssues: 2);

    private static ParsedEvents Sessions(string text, LoadOptions? options = null) =>
        FinAssert.Succ(AmazonSessionsFormat.ParseSessions(new StringReader(text), "sessions.txt", options ?? Strict));

    [Fact]
    public void Each_item_becomes_an_event_stamped_with_its_position_in_the_line()
    {
        var parsed = Sessions("0 3772 6114 3715\n1 84\t4501  588\n");

        Assert.Equal(
            [new(0, 3772, 0), new(0, 6114, 1), new(0, 3715, 2), new(1, 84, 0), new(1, 4501, 1), new(1, 588, 2)],
            parsed.Events.ToArray());
        Assert.Equal(2, parsed.Tally.LinesRead);
        Assert.Equal(0, parsed.Tally.LinesSkipped);
    }

    [Fact]
    public void A_non_numeric_item_names_file_line_and_item_position()
    {
        var result = AmazonSessionsFormat.ParseSessions(new StringReader("0 1 2\n1 5 6 x7\n"), "sessions.txt", Strict);

        var error = FinAssert.LineFail(result, "sessions.txt", 2, "item 3", SkipReasons.NotANumber);
        Assert.Contains("'x7'", error.Message);
        Assert.Equal(ErrorCodes.BadLine, error.Code);
    }

    [Fact]
    public void A_non_numeric_session_id_names_the_session_id_field()
    {
        var result = AmazonSessionsFormat.ParseSessions(new StringReader("abc 1 2\n"), "sessions.txt", Strict);

        FinAssert.LineFail(result, "sessions.txt", 1, "session_id", SkipReasons.NotANumber);
    }

    [Fact]
    public void An_item_id_beyond_32_bits_is_not_a_number()
    {
        var result = AmazonSessionsFormat.ParseSessions(new StringReader("1 2 99999999999\n"), "sessions.txt", Strict);

        FinAssert.LineFail(result, "sessions.txt", 1, "item 2", SkipReasons.NotANumber);
    }

    [Fact]
    public void A_session_without_items_is_rejected()
    {
        var result = AmazonSessionsFormat.ParseSessions(new StringReader("0 1 2\n7   \n"), "sessions.txt", Strict);

        FinAssert.LineFail(result, "sessions.txt", 2, "item 1", SkipReasons.NoItems);
    }

    [Fact]
    public void A_repeated_session_id_is_rejected_and_names_the_first_line()
    {
        var result = AmazonSessionsFormat.ParseSessions(new StringReader("4 1 2\n5 3\n4 9\n"), "sessions.txt", Strict);

        var error = FinAssert.LineFail(result, "sessions.txt", 3, "session_id", SkipReasons.DuplicateSessionId);
        Assert.Contains("line 1", error.Message);
    }

    [Fact]
    public void Skipping_bad_lines_keeps_the_good_ones_counts_by_reason_and_keeps_the_first_issues()
    {
        var parsed = Sessions("0 1 2\n1 5 x 6\n\n2 7 8\nq 1\n3\n0 4\n4 9\n", Skipping);

        // A rejected line leaves no partial session behind (line 2 had a good item before the bad one).
        Assert.Equal([0L, 0, 2, 2, 4], parsed.Events.Select(e => e.SessionKey).ToArray());
        Assert.Equal(8, parsed.Tally.LinesRead);
        Assert.Equal(5, parsed.Tally.LinesSkipped);
        Assert.Equal(2, parsed.Tally.SkippedByReason[SkipReasons.NotANumber]);
        Assert.Equal(1, parsed.Tally.SkippedByReason[SkipReasons.NoItems]);
        Assert.Equal(1, parsed.Tally.SkippedByReason[SkipReasons.DuplicateSessionId]);
        Assert.Equal(1, parsed.Tally.SkippedByReason[SkipReasons.BlankLine]);
        Assert.Equal([2L, 5], parsed.Tally.Issues.Select(i => i.Line).ToArray());
    }

    [Fact]
    public void Blank_lines_never_fail_a_strict_load_but_are_counted()
    {
        var parsed = Sessions("0 1 2\n\n   \n1 3 4\n");

        Assert.Equal(4, parsed.Events.Length);
        Assert.Equal(2, parsed.Tally.SkippedByReason[SkipReasons.BlankLine]);
        Assert.Empty(parsed.Tally.Issues);
    }

    [Fact]
    public void Items_csv_reads_quoted_titles_and_gives_empty_titles_a_placeholder()
    {
        const string text = "item_id,asin,title\n" +
                            "1,B004756YJA,\"OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce\"\n" +
                            "495,B001DJ2USM,\n" +
                            "2,B004ZT0SSG,OPI Red Shatter\n";

        var parsed = FinAssert.Succ(AmazonSessionsFormat.ParseItems(new StringReader(text), "items.csv", Strict));

        Assert.Equal(
            [
                new Item(1, "OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce", true),
                new Item(495, Item.PlaceholderTitle(495), false),
                new Item(2, "OPI Red Shatter", true),
            ],
            parsed.Items.ToArray());
        Assert.Equal(1, parsed.ItemsWithoutTitle);
        Assert.Equal("item 495", parsed.Items[1].Title);
    }

    [Fact]
    public void Items_csv_rejects_a_duplicate_item_id_naming_the_first_line()
    {
        const string text = "item_id,asin,title\n1,A,x\n2,B,y\n1,C,z\n";

        var error = FinAssert.LineFail(AmazonSessionsFormat.ParseItems(new StringReader(text), "items.csv", Strict),
            "items.csv", 4, "item_id", SkipReasons.DuplicateItemId);
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void Items_csv_skipping_a_duplicate_keeps_the_first_definition()
    {
        const string text = "item_id,asin,title\n1,A,first\n1,C,second\n";

        var parsed = FinAssert.Succ(AmazonSessionsFormat.ParseItems(new StringReader(text), "items.csv", Skipping));

        Assert.Equal([new Item(1, "first", true)], parsed.Items.ToArray());
        Assert.Equal(1, parsed.Tally.SkippedByReason[SkipReasons.DuplicateItemId]);
    }

    [Fact]
    public void Items_csv_without_a_title_column_names_the_missing_column()
    {
        var error = FinAssert.LineFail(
            AmazonSessionsFormat.ParseItems(new StringReader("item_id,asin\n1,A\n"), "items.csv", Skipping),
            "items.csv", 1, "title", SkipReasons.MissingColumn);

        Assert.Equal(ErrorCodes.MissingColumn, error.Code);
        Assert.Contains("'asin'", error.Message);
    }

    [Fact]
    public void An_empty_items_file_is_an_error_naming_the_expected_columns()
    {
        var error = FinAssert.Fail(AmazonSessionsFormat.ParseItems(new StringReader(""), "items.csv", Strict));

        Assert.Equal(ErrorCodes.EmptyFile, error.Code);
        Assert.Contains("items.csv", error.Message);
        Assert.Contains("'item_id'", error.Message);
        Assert.Contains("'title'", error.Message);
    }
}

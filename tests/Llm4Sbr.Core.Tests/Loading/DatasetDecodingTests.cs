using System.Text;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Tests.Support;

namespace Llm4Sbr.Core.Tests.Loading;

public sealed class DatasetDecodingTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Events_naming_unknown_items_are_kept_and_the_items_added_with_placeholders()
    {
        var files = new SourceFiles(DatasetFormat.Generic,
            _folder.Write("interactions.csv", "session_id,item_id,timestamp\n1,10,0\n1,99,1\n2,99,0\n2,77,1\n2,10,2\n"),
            _folder.Write("items.csv", "item_id,title\n10,Ten\n11,\n"));

        var data = FinAssert.Succ(DatasetFiles.Parse(files, new LoadOptions()));

        Assert.Equal(5, data.Events.Length);
        Assert.Equal(
            [new Item(10, "Ten", true), new Item(11, "item 11", false), new Item(77, "item 77", false), new Item(99, "item 99", false)],
            data.Items.ToArray());
        Assert.Equal(3, data.Report.EventsWithUnknownItem);
        Assert.Equal(2, data.Report.UnknownItemIds);
        Assert.Equal(1, data.Report.ItemsWithoutTitle);
    }

    [Fact]
    public void Skipping_bad_lines_over_both_files_sums_the_counts_and_caps_the_reported_issues()
    {
        var files = new SourceFiles(DatasetFormat.MovieLensCsv,
            _folder.Write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4,10\nx,1,4,10\n1,2,4\n1,2,4,11\n1,2,?,12\n"),
            _folder.Write("movies.csv", "movieId,title,genres\n1,A,Drama\n1,B,Drama\n2,C,Drama\n"));

        var data = FinAssert.Succ(DatasetFiles.Parse(files, new LoadOptions(SkipBadLines: true, MaxReportedIssues: 3)));

        Assert.Equal(2, data.Events.Length);
        Assert.Equal(10, data.Report.LinesRead);
        Assert.Equal(4, data.Report.LinesSkipped);
        Assert.Equal(2, data.Report.SkippedByReason[SkipReasons.NotANumber]);
        Assert.Equal(1, data.Report.SkippedByReason[SkipReasons.WrongFieldCount]);
        Assert.Equal(1, data.Report.SkippedByReason[SkipReasons.DuplicateItemId]);
        Assert.Equal(
            [(files.ItemsPath, 3L), (files.InteractionsPath, 3L), (files.InteractionsPath, 4L)],
            data.Report.Issues.Select(i => (i.File, i.Line)).ToArray());
    }

    [Fact]
    public void Without_skipping_the_first_bad_line_fails_the_load_and_names_the_full_path()
    {
        var files = new SourceFiles(DatasetFormat.MovieLensCsv,
            _folder.Write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4,10\n1,1,4,later\n"),
            _folder.Write("movies.csv", "movieId,title,genres\n1,A,Drama\n"));

        FinAssert.LineFail(DatasetFiles.Parse(files, new LoadOptions()), files.InteractionsPath, 3, "timestamp", SkipReasons.NotANumber);
    }

    [Fact]
    public void Invalid_utf8_in_a_csv_is_reported_on_its_exact_line()
    {
        var bytes = Encoding.UTF8.GetBytes("movieId,title,genres\n1,A,Drama\n").Concat(new byte[] { (byte)'2', (byte)',', 0xE9, (byte)',', (byte)'D', (byte)'\n' }).ToArray();
        var files = new SourceFiles(DatasetFormat.MovieLensCsv,
            _folder.Write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4,10\n"),
            _folder.Write("movies.csv", bytes));

        FinAssert.LineFail(DatasetFiles.Parse(files, new LoadOptions()), files.ItemsPath, 3, "(line)", SkipReasons.InvalidEncoding);
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_not_part_of_the_first_column_name()
    {
        var files = new SourceFiles(DatasetFormat.Generic,
            _folder.Write("interactions.csv", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("session_id,item_id,timestamp\n1,1,0\n")]),
            _folder.Write("items.csv", "item_id,title\n1,x\n"));

        var data = FinAssert.Succ(DatasetFiles.Parse(files, new LoadOptions()));

        Assert.Equal([new Event(1, 1, 0)], data.Events.ToArray());
    }

    [Fact]
    public void A_negative_issue_cap_is_rejected_as_an_option()
    {
        var error = FinAssert.Fail(DatasetParsers.Parse(DatasetFormat.Generic, new StringReader(""), "i.csv", new StringReader(""), "t.csv",
            new LoadOptions(MaxReportedIssues: -1)));

        Assert.Equal(ErrorCodes.InvalidOption, error.Code);
        Assert.Contains("max_reported_issues", error.Message);
    }

    [Fact]
    public void An_undefined_format_is_rejected_naming_the_valid_ones()
    {
        var error = FinAssert.Fail(DatasetParsers.Parse((DatasetFormat)42, new StringReader(""), "i", new StringReader(""), "t", new LoadOptions()));

        Assert.Equal(ErrorCodes.InvalidOption, error.Code);
        Assert.Contains(nameof(DatasetFormat.MovieLensDat), error.Message);
    }

    [Theory]
    [InlineData(DatasetFormat.AmazonSessions, "sessions.txt", "items.csv")]
    [InlineData(DatasetFormat.MovieLensCsv, "ratings.csv", "movies.csv")]
    [InlineData(DatasetFormat.MovieLensDat, "ratings.dat", "movies.dat")]
    [InlineData(DatasetFormat.Generic, "interactions.csv", "items.csv")]
    public void Default_files_follow_each_format_conventions(DatasetFormat format, string interactions, string items)
    {
        var files = DatasetDecoding.DefaultFiles(format, "/d");

        Assert.Equal(new SourceFiles(format, Path.Combine("/d", interactions), Path.Combine("/d", items)), files);
    }

    [Fact]
    public void Option_names_parse_kebab_case_and_list_the_valid_choices_on_error()
    {
        Assert.Equal(DatasetFormat.MovieLensDat, FinAssert.Succ(OptionNames.Parse<DatasetFormat>("format", "movie-lens-dat")));
        Assert.Equal(DatasetFormat.AmazonSessions, FinAssert.Succ(OptionNames.Parse<DatasetFormat>("format", "AmazonSessions")));

        var error = FinAssert.Fail(OptionNames.Parse<DatasetFormat>("format", "parquet"));

        Assert.Equal(ErrorCodes.InvalidOption, error.Code);
        Assert.Contains("'format'", error.Message);
        Assert.Contains("amazon-sessions | movie-lens-csv | movie-lens-dat | generic", error.Message);
    }
}

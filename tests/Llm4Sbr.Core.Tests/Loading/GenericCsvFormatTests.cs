using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Tests.Support;

namespace Llm4Sbr.Core.Tests.Loading;

public class GenericCsvFormatTests
{
    private static readonly LoadOptions Strict = new();

    [Fact]
    public void Interactions_columns_are_found_by_name_and_extra_columns_ignored()
    {
        var parsed = FinAssert.Succ(GenericCsvFormat.ParseInteractions(
            new StringReader("item_id,note,timestamp,session_id\n10,a,-5,3\n11,\"b, c\",7,3\n"), "interactions.csv", Strict));

        Assert.Equal([new Event(3, 10, -5), new Event(3, 11, 7)], parsed.Events.ToArray());
    }

    [Theory]
    [InlineData("session_id,item_id\n", "timestamp")]
    [InlineData("session,item_id,timestamp\n", "session_id")]
    [InlineData("session_id,timestamp,title\n", "item_id")]
    public void A_missing_interactions_column_is_named(string header, string column)
    {
        var error = FinAssert.LineFail(GenericCsvFormat.ParseInteractions(new StringReader(header + "1,2,3\n"), "interactions.csv", Strict),
            "interactions.csv", 1, column, SkipReasons.MissingColumn);

        Assert.Equal(ErrorCodes.MissingColumn, error.Code);
    }

    [Fact]
    public void A_non_numeric_session_id_names_its_column()
    {
        FinAssert.LineFail(GenericCsvFormat.ParseInteractions(
                new StringReader("session_id,item_id,timestamp\n1,2,3\nuser-7,2,3\n"), "interactions.csv", Strict),
            "interactions.csv", 3, "session_id", SkipReasons.NotANumber);
    }

    [Fact]
    public void A_fractional_timestamp_is_not_a_whole_number()
    {
        FinAssert.LineFail(GenericCsvFormat.ParseInteractions(
                new StringReader("session_id,item_id,timestamp\n1,2,3.5\n"), "interactions.csv", Strict),
            "interactions.csv", 2, "timestamp", SkipReasons.NotANumber);
    }

    [Fact]
    public void Items_columns_are_found_by_name()
    {
        var parsed = FinAssert.Succ(GenericCsvFormat.ParseItems(
            new StringReader("title,item_id\n\"Widget, large\",10\n,11\n"), "items.csv", Strict));

        Assert.Equal([new Item(10, "Widget, large", true), new Item(11, "item 11", false)], parsed.Items.ToArray());
        Assert.Equal(1, parsed.ItemsWithoutTitle);
    }

    [Fact]
    public void The_generic_fixture_loads_from_disk_with_crlf_lines_and_utf8_titles()
    {
        var files = DatasetDecoding.DefaultFiles(DatasetFormat.Generic, TestPaths.Fixture("generic"));

        var data = FinAssert.Succ(DatasetFiles.Parse(files, new LoadOptions()));

        Assert.Equal(
            [new Item(10, "Widget, large", true), new Item(20, "The \"Best\" Gadget", true), new Item(30, "Café crème", true)],
            data.Items.ToArray());
        Assert.Equal(
            [new Event(8, 20, 1700000100), new Event(8, 10, 1700000000), new Event(8, 30, 1700000050), new Event(3, 10, 1700000000), new Event(3, 20, 1700000001)],
            data.Events.ToArray());
        Assert.Equal(0, data.Report.LinesSkipped);
    }
}

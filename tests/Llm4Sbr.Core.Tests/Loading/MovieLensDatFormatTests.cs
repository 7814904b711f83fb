using System.Text;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Tests.Support;

namespace Llm4Sbr.Core.Tests.Loading;

public class MovieLensDatFormatTests
{
    private static readonly LoadOptions Strict = new();

    [Fact]
    public void Ratings_dat_splits_on_double_colons_and_keeps_file_order()
    {
        var parsed = FinAssert.Succ(MovieLensDatFormat.ParseRatings(
            new StringReader("1::1193::5::978300760\n1::661::3::978302109\n"), "ratings.dat", Strict));

        Assert.Equal([new Event(1, 1193, 978300760), new Event(1, 661, 978302109)], parsed.Events.ToArray());
    }

    [Theory]
    [InlineData("1::1193::5\n", "Timestamp", SkipReasons.WrongFieldCount)]
    [InlineData("1::1193::5::978300760::7\n", "field 5", SkipReasons.WrongFieldCount)]
    [InlineData("1,1193,5,978300760\n", "MovieID", SkipReasons.WrongFieldCount)]
    [InlineData("one::1193::5::978300760\n", "UserID", SkipReasons.NotANumber)]
    [InlineData("1::-4::5::978300760\n", "MovieID", SkipReasons.NotANumber)]
    [InlineData("1::1193::five::978300760\n", "Rating", SkipReasons.NotANumber)]
    [InlineData("1::1193::5::\n", "Timestamp", SkipReasons.EmptyField)]
    [InlineData("1::1193::5::97830.5\n", "Timestamp", SkipReasons.NotANumber)]
    public void A_bad_ratings_line_names_file_line_and_field(string badLine, string field, string reason)
    {
        var result = MovieLensDatFormat.ParseRatings(new StringReader("1::1::5::978300760\n" + badLine), "ratings.dat", Strict);

        FinAssert.LineFail(result, "ratings.dat", 2, field, reason);
    }

    [Fact]
    public void Movies_dat_keeps_colons_and_commas_inside_titles()
    {
        var parsed = FinAssert.Succ(MovieLensDatFormat.ParseMovies(
            new StringReader("1::Star Wars: Episode IV - A New Hope (1977)::Action\n2::Misérables, Les (1995)::Drama|Musical\n"),
            "movies.dat", Strict));

        Assert.Equal(
            [new Item(1, "Star Wars: Episode IV - A New Hope (1977)", true), new Item(2, "Misérables, Les (1995)", true)],
            parsed.Items.ToArray());
    }

    [Fact]
    public void Movies_dat_with_a_missing_genre_field_names_it()
    {
        FinAssert.LineFail(MovieLensDatFormat.ParseMovies(new StringReader("1::Toy Story (1995)\n"), "movies.dat", Strict),
            "movies.dat", 1, "Genres", SkipReasons.WrongFieldCount);
    }

    [Fact]
    public void The_fixture_is_really_latin1_and_loads_with_its_accents_intact()
    {
        var moviesPath = TestPaths.Fixture("ml-1m", "movies.dat");
        var bytes = File.ReadAllBytes(moviesPath);
        // 'é' is the single byte 0xE9 in ISO-8859-1; its UTF-8 form (0xC3 0xA9) must not be there.
        Assert.Contains((byte)0xE9, bytes);
        Assert.True(bytes.AsSpan().IndexOf([(byte)0xC3, (byte)0xA9]) < 0);

        var files = DatasetDecoding.DefaultFiles(DatasetFormat.MovieLensDat, TestPaths.Fixture("ml-1m"));
        var data = FinAssert.Succ(DatasetFiles.Parse(files, new LoadOptions()));

        Assert.Equal(
            [
                "Toy Story (1995)", "Misérables, Les (1995)", "Jour de fête (1949)", "Garçon d'honneur (1993)",
                "Für Elise: Ein Porträt (1990)", "Niños del Brasil, Los (1978)",
            ],
            data.Items.Select(i => i.Title).ToArray());
        Assert.All(data.Items, i => Assert.True(i.HasTitle));
        Assert.Equal(7, data.Events.Length);
        Assert.Equal(new Event(2, 2, 978300005), data.Events[0]);
        Assert.Equal(13, data.Report.LinesRead);
        Assert.Equal(0, data.Report.LinesSkipped);
    }

    [Fact]
    public void Reading_the_latin1_fixture_as_utf8_would_flag_the_accented_lines()
    {
        // Guards the encoding choice: the same bytes decoded as UTF-8 are invalid on every accented line.
        var text = new UTF8Encoding(false).GetString(File.ReadAllBytes(TestPaths.Fixture("ml-1m", "movies.dat")));

        var parsed = FinAssert.Succ(MovieLensDatFormat.ParseMovies(new StringReader(text), "movies.dat", new LoadOptions(SkipBadLines: true)));

        Assert.Equal(5, parsed.Tally.SkippedByReason[SkipReasons.InvalidEncoding]);
        Assert.Equal([1], parsed.Items.Select(i => i.Id).ToArray());
    }
}

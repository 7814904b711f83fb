using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Stages.Data;

namespace Llm4Sbr.Stages.Tests.Data;

/// <summary>The edge that opens a dataset's files (Core only parses what it is given).</summary>
public sealed class FileDatasetSourceTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("llm4sbr-dataset-source-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    static LanguageExt.Common.Error Failure(LanguageExt.Fin<LoadedData> loaded) =>
        loaded.Match(_ => throw new InvalidOperationException("expected a failure"), e => e);

    [Fact]
    public void A_missing_file_is_an_error_naming_its_path()
    {
        var items = Write("items.csv", "item_id,asin,title\n1,A,x\n");
        var sessions = Path.Combine(_folder, "nowhere", "sessions.txt");

        var error = Failure(FileDatasetSource.Instance.Load(new SourceFiles(DatasetFormat.AmazonSessions, sessions, items), new LoadOptions()));

        Assert.Equal(ErrorCodes.FileNotFound, error.Code);
        Assert.Contains(sessions, error.Message);
        Assert.Contains("interactions", error.Message);
    }

    [Fact]
    public void Missing_movielens_1m_files_say_where_to_download_them()
    {
        var files = DatasetDecoding.DefaultFiles(DatasetFormat.MovieLensDat, Path.Combine(_folder, "ml-1m"));

        var error = Failure(FileDatasetSource.Instance.Load(files, new LoadOptions()));

        Assert.Equal(ErrorCodes.FileNotFound, error.Code);
        Assert.Contains(files.ItemsPath, error.Message);
        Assert.Contains(FileDatasetSource.MovieLens1MSource, error.Message);
    }

    [Fact]
    public void A_bad_line_in_a_file_it_read_names_the_full_path_the_line_and_the_field()
    {
        var files = new SourceFiles(DatasetFormat.MovieLensCsv,
            Write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4,10\n1,1,4,later\n"),
            Write("movies.csv", "movieId,title,genres\n1,A,Drama\n"));

        var error = Assert.IsType<LineError>(Failure(FileDatasetSource.Instance.Load(files, new LoadOptions())));

        Assert.Equal((files.InteractionsPath, 3L, "timestamp"), (error.Issue.File, error.Issue.Line, error.Issue.Field));
        Assert.Contains($"{files.InteractionsPath}:3:", error.Message);
    }
}

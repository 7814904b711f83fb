using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Loading;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Data;

/// <summary>The <c>load</c> stage's one effect: reading a dataset's source files.</summary>
public interface IDatasetSource
{
    Fin<LoadedData> Load(SourceFiles files, LoadOptions options);
}

/// <summary>Reads the files from disk and parses them with <see cref="DatasetDecoding"/>, the
/// only place the dataset's files are opened.</summary>
public sealed class FileDatasetSource : IDatasetSource
{
    public static FileDatasetSource Instance { get; } = new();

    /// <summary>Where GroupLens publishes MovieLens-1M (named in the error when its files are absent).</summary>
    public const string MovieLens1MSource = "https://grouplens.org/datasets/movielens/1m/";

    /// <summary>A missing file fails with <see cref="ErrorCodes.FileNotFound"/> naming the path, an
    /// unreadable one with <see cref="ErrorCodes.FileUnreadable"/>; a bad line fails as
    /// <see cref="DatasetDecoding.Parse"/> says (file, line, field).</summary>
    public Fin<LoadedData> Load(SourceFiles files, LoadOptions options)
    {
        var missing = MissingFile(files, "items", files.ItemsPath) ?? MissingFile(files, "interactions", files.InteractionsPath);
        if (missing is not null) return FinFail<LoadedData>(missing);

        string role = "items", path = files.ItemsPath;
        try
        {
            using var items = Open(path);
            role = "interactions";
            path = files.InteractionsPath;
            using var interactions = Open(path);
            return DatasetDecoding.Parse(files.Format, interactions, files.InteractionsPath, items, files.ItemsPath, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FinFail<LoadedData>(DataErrors.FileUnreadable(role, path, e.Message));
        }
    }

    static Error? MissingFile(SourceFiles files, string role, string path)
    {
        if (File.Exists(path)) return null;
        var hint = files.Format == DatasetFormat.MovieLensDat
            ? $"MovieLens-1M is not shipped with the project; download ml-1m.zip from {MovieLens1MSource} and unpack ratings.dat and movies.dat there"
            : null;
        return DataErrors.FileNotFound(role, path, hint);
    }

    static FileStream Open(string path) =>
        new(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = 1 << 16,
            Options = FileOptions.SequentialScan,
        });
}

using System.Text;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Loading;

/// <summary>The file-reading edge of the <c>load</c> stage: opens both files with the format's
/// encoding and hands the readers to <see cref="DatasetParsers.Parse"/>.</summary>
public static class DatasetLoader
{
    public const string Version = "1";

    /// <summary>Where GroupLens publishes MovieLens-1M (named in the error when its files are absent).</summary>
    public const string MovieLens1MSource = "https://grouplens.org/datasets/movielens/1m/";

    /// <summary>Reads and parses both files of <paramref name="files"/>. Fails (as a value) on the
    /// first bad line unless <see cref="LoadOptions.SkipBadLines"/>; the error names file, line, field.
    /// A missing file fails with <see cref="ErrorCodes.FileNotFound"/> naming the path.
    /// MovieLens-1M <c>.dat</c> files are decoded as ISO-8859-1, all other formats as UTF-8 (a
    /// byte-order mark is honoured; invalid UTF-8 is a bad line with reason
    /// <see cref="SkipReasons.InvalidEncoding"/>).</summary>
    public static Fin<LoadedData> Load(SourceFiles files, LoadOptions options)
    {
        var missing = MissingFile(files, "items", files.ItemsPath) ?? MissingFile(files, "interactions", files.InteractionsPath);
        if (missing is not null) return FinFail<LoadedData>(missing);

        var encoding = EncodingOf(files.Format);
        var detectBom = files.Format != DatasetFormat.MovieLensDat;
        string role = "items", path = files.ItemsPath;
        try
        {
            using var items = Open(path, encoding, detectBom);
            role = "interactions";
            path = files.InteractionsPath;
            using var interactions = Open(path, encoding, detectBom);
            return DatasetParsers.Parse(files.Format, interactions, files.InteractionsPath, items, files.ItemsPath, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FinFail<LoadedData>(DataErrors.FileUnreadable(role, path, e.Message));
        }
    }

    /// <summary>The conventional file names of each format inside one folder
    /// (sessions.txt + items.csv, ratings.csv + movies.csv, ratings.dat + movies.dat,
    /// interactions.csv + items.csv).</summary>
    public static SourceFiles DefaultFiles(DatasetFormat format, string folder) => format switch
    {
        DatasetFormat.AmazonSessions => new(format, Path.Combine(folder, "sessions.txt"), Path.Combine(folder, "items.csv")),
        DatasetFormat.MovieLensCsv => new(format, Path.Combine(folder, "ratings.csv"), Path.Combine(folder, "movies.csv")),
        DatasetFormat.MovieLensDat => new(format, Path.Combine(folder, "ratings.dat"), Path.Combine(folder, "movies.dat")),
        DatasetFormat.Generic => new(format, Path.Combine(folder, "interactions.csv"), Path.Combine(folder, "items.csv")),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"expected {DataErrors.ValidNames<DatasetFormat>()}"),
    };

    /// <summary>ISO-8859-1 for MovieLens-1M, UTF-8 otherwise. UTF-8 decoding replaces invalid bytes
    /// with U+FFFD, which the parsers then reject with the exact line number.</summary>
    public static Encoding EncodingOf(DatasetFormat format) =>
        format == DatasetFormat.MovieLensDat ? Encoding.Latin1 : new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private static Error? MissingFile(SourceFiles files, string role, string path)
    {
        if (File.Exists(path)) return null;
        var hint = files.Format == DatasetFormat.MovieLensDat
            ? $"MovieLens-1M is not shipped with the project; download ml-1m.zip from {MovieLens1MSource} and unpack ratings.dat and movies.dat there"
            : null;
        return DataErrors.FileNotFound(role, path, hint);
    }

    private static StreamReader Open(string path, Encoding encoding, bool detectBom) =>
        new(path, encoding, detectBom, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = 1 << 16,
            Options = FileOptions.SequentialScan,
        });
}

using System.Text;
using LanguageExt;
using Llm4Sbr.Core.Errors;

namespace Llm4Sbr.Core.Loading;

/// <summary>The <c>load</c> stage's parsing from bytes: decodes a dataset's two source texts with
/// the format's encoding and hands them to <see cref="DatasetParsers.Parse"/>. It opens nothing:
/// the caller (the engine's dataset source, a test) supplies the streams and the names errors
/// report.</summary>
public static class DatasetDecoding
{
    /// <summary>The loading version of the <c>load</c> stage's memo key; bump when the parsed
    /// result of the same files changes.</summary>
    public const string Version = "1";

    /// <summary>Decodes and parses both streams (items first, then interactions). Fails (as a
    /// value) on the first bad line unless <see cref="LoadOptions.SkipBadLines"/>; the error names
    /// file, line and field. MovieLens-1M <c>.dat</c> files are decoded as ISO-8859-1, all other
    /// formats as UTF-8 (a byte-order mark is honoured; invalid UTF-8 is a bad line with reason
    /// <see cref="SkipReasons.InvalidEncoding"/>). The streams are read, not disposed.</summary>
    public static Fin<LoadedData> Parse(
        DatasetFormat format, Stream interactions, string interactionsFile, Stream items, string itemsFile, LoadOptions options)
    {
        var encoding = EncodingOf(format);
        var detectBom = format != DatasetFormat.MovieLensDat;
        using var itemsText = new StreamReader(items, encoding, detectBom, BufferSize, leaveOpen: true);
        using var interactionsText = new StreamReader(interactions, encoding, detectBom, BufferSize, leaveOpen: true);
        return DatasetParsers.Parse(format, interactionsText, interactionsFile, itemsText, itemsFile, options);
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

    const int BufferSize = 1 << 16;
}

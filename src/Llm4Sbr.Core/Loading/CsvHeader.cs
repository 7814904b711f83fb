using LanguageExt;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Loading;

/// <summary>A CSV header: every column name, and where each required column sits. Columns are
/// found by name (trimmed, case-insensitive), so their order in the file does not matter.</summary>
internal sealed record CsvHeader(IReadOnlyList<string> Names, int[] RequiredIndexes)
{
    public int FieldCount => Names.Count;

    /// <summary>The name to blame for a problem in field <paramref name="index"/> (0-based).</summary>
    public string NameAt(int index) => index < Names.Count ? Names[index] : $"field {index + 1}";

    /// <summary>Reads the first line as the header and locates <paramref name="required"/>.</summary>
    public static Fin<CsvHeader> Read(CsvRecordReader csv, string file, IReadOnlyList<string> required)
    {
        var status = csv.Read();
        switch (status)
        {
            case CsvReadStatus.End:
            case CsvReadStatus.Blank:
                return FinFail<CsvHeader>(DataErrors.EmptyFile(file, required));
            case CsvReadStatus.InvalidEncoding:
                return FinFail<CsvHeader>(new LineError(
                    new LineIssue(file, csv.RecordLine, "header", FieldParsing.EncodingMessage), SkipReasons.InvalidEncoding));
            case CsvReadStatus.Malformed:
                return FinFail<CsvHeader>(new LineError(
                    new LineIssue(file, csv.RecordLine, "header", csv.Problem), SkipReasons.MalformedQuotes));
        }

        var names = new string[csv.FieldCount];
        for (var i = 0; i < names.Length; i++)
            names[i] = csv.Field(i).Trim().TrimStart('\uFEFF').ToString();

        var indexes = new int[required.Count];
        for (var r = 0; r < required.Count; r++)
        {
            indexes[r] = System.Array.FindIndex(names, n => string.Equals(n, required[r], StringComparison.OrdinalIgnoreCase));
            if (indexes[r] < 0) return FinFail<CsvHeader>(DataErrors.MissingColumn(file, required[r], names));
        }
        return FinSucc(new CsvHeader(names, indexes));
    }
}

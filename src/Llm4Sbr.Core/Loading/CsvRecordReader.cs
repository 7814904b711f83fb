namespace Llm4Sbr.Core.Loading;

internal enum CsvReadStatus { Record, End, Blank, Malformed, InvalidEncoding }

/// <summary>Reads RFC 4180 records one at a time: comma-separated, fields optionally enclosed in
/// double quotes, a doubled quote inside a quoted field stands for one quote, and a quoted field
/// may span lines. Lines without any quote (most of them) are split in place without copying;
/// only quoted records are unescaped into a reusable buffer.</summary>
internal sealed class CsvRecordReader(TextReader reader)
{
    private string _line = "";
    private bool _fromBuffer;
    private char[] _buffer = new char[256];
    private int _written;
    private int[] _starts = new int[8];
    private int[] _lengths = new int[8];

    /// <summary>Physical lines consumed so far.</summary>
    public long LinesRead { get; private set; }
    /// <summary>1-based line on which the last record started.</summary>
    public long RecordLine { get; private set; }
    public int FieldCount { get; private set; }
    /// <summary>For <see cref="CsvReadStatus.Malformed"/>: what is wrong and in which field (0-based).</summary>
    public string Problem { get; private set; } = "";
    public int ProblemField { get; private set; }

    public ReadOnlySpan<char> Field(int index) =>
        (_fromBuffer ? _buffer.AsSpan() : _line.AsSpan()).Slice(_starts[index], _lengths[index]);

    public CsvReadStatus Read()
    {
        var line = reader.ReadLine();
        if (line is null) return CsvReadStatus.End;
        LinesRead++;
        RecordLine = LinesRead;
        FieldCount = 0;
        if (string.IsNullOrWhiteSpace(line)) return CsvReadStatus.Blank;
        if (FieldParsing.HasInvalidEncoding(line)) return CsvReadStatus.InvalidEncoding;
        if (!line.Contains('"'))
        {
            SplitUnquoted(line);
            return CsvReadStatus.Record;
        }
        return ParseQuoted(line);
    }

    private void SplitUnquoted(string line)
    {
        _line = line;
        _fromBuffer = false;
        var span = line.AsSpan();
        var start = 0;
        while (true)
        {
            var comma = span[start..].IndexOf(',');
            if (comma < 0)
            {
                AddField(start, span.Length - start);
                return;
            }
            AddField(start, comma);
            start += comma + 1;
        }
    }

    private CsvReadStatus ParseQuoted(string line)
    {
        _fromBuffer = true;
        _written = 0;
        var current = line;
        var i = 0;
        while (true)
        {
            var fieldStart = _written;
            if (i < current.Length && current[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= current.Length)
                    {
                        // The quoted field goes on on the next physical line.
                        var next = reader.ReadLine();
                        if (next is null)
                            return Malformed("a quoted field is still open at the end of the file");
                        LinesRead++;
                        if (FieldParsing.HasInvalidEncoding(next)) return CsvReadStatus.InvalidEncoding;
                        Append("\n");
                        current = next;
                        i = 0;
                        continue;
                    }
                    if (current[i] == '"')
                    {
                        if (i + 1 < current.Length && current[i + 1] == '"')
                        {
                            Append("\"");
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    var quote = current.AsSpan(i).IndexOf('"');
                    var run = quote < 0 ? current.Length - i : quote;
                    Append(current.AsSpan(i, run));
                    i += run;
                }
                AddField(fieldStart, _written - fieldStart);
                if (i >= current.Length) return CsvReadStatus.Record;
                if (current[i] != ',')
                {
                    FieldCount--;
                    return Malformed("unexpected text after a closing quote (a quote inside a quoted field must be doubled)");
                }
                i++;
            }
            else
            {
                var comma = current.AsSpan(i).IndexOf(',');
                var end = comma < 0 ? current.Length : i + comma;
                var text = current.AsSpan(i, end - i);
                if (text.Contains('"'))
                    return Malformed("a quote inside an unquoted field (enclose the field in quotes and double the inner quotes)");
                Append(text);
                AddField(fieldStart, _written - fieldStart);
                if (comma < 0) return CsvReadStatus.Record;
                i = end + 1;
            }
        }
    }

    private CsvReadStatus Malformed(string problem)
    {
        Problem = problem;
        ProblemField = FieldCount;
        return CsvReadStatus.Malformed;
    }

    private void Append(ReadOnlySpan<char> text)
    {
        if (_written + text.Length > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _written + text.Length));
        text.CopyTo(_buffer.AsSpan(_written));
        _written += text.Length;
    }

    private void AddField(int start, int length)
    {
        if (FieldCount == _starts.Length)
        {
            Array.Resize(ref _starts, _starts.Length * 2);
            Array.Resize(ref _lengths, _lengths.Length * 2);
        }
        _starts[FieldCount] = start;
        _lengths[FieldCount] = length;
        FieldCount++;
    }
}

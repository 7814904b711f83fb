using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Engine.Errors;
using Parquet;
using Parquet.Schema;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Parquet;

/// <summary>One Parquet file with a fixed, documented schema: rows of <typeparamref name="TRow"/>
/// are written column by column in row groups; reading checks that every documented column is
/// there with its type and returns the columns as arrays.</summary>
public sealed class ParquetTable<TRow>
{
    /// <summary>Rows per row group: large enough for fast scans, small enough to bound the
    /// flattened buffers of list columns.</summary>
    public const int DefaultRowGroupSize = 1 << 20;

    readonly ImmutableArray<Column<TRow>> _columns;
    readonly ParquetSchema _schema;

    public ParquetTable(string file, string description, params Column<TRow>[] columns)
    {
        File = file;
        _columns = [.. columns];
        _schema = new ParquetSchema(columns.Select(c => c.SchemaField).ToArray());
        Doc = new TableDoc(file, description, [.. columns.Select(c => c.Doc)]);
    }

    public string File { get; }
    public TableDoc Doc { get; }
    public int RowGroupSize { get; init; } = DefaultRowGroupSize;

    public async Task WriteAsync(string directory, IReadOnlyList<TRow> rows, CancellationToken ct)
    {
        var path = Path.Combine(directory, File);
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
        await using (var writer = await ParquetWriter.CreateAsync(_schema, stream, cancellationToken: ct).ConfigureAwait(false))
        {
            writer.CustomMetadata = new Dictionary<string, string>
            {
                ["llm4sbr.table"] = File,
                ["llm4sbr.description"] = Doc.Description,
            };
            // An empty table still gets one (empty) row group so readers see the schema.
            var start = 0;
            do
            {
                ct.ThrowIfCancellationRequested();
                var count = Math.Min(RowGroupSize, rows.Count - start);
                using var group = writer.CreateRowGroup();
                foreach (var column in _columns)
                    await column.WriteAsync(group, rows, start, count, ct).ConfigureAwait(false);
                group.CompleteValidate();
                start += count;
            } while (start < rows.Count);
        }
        await stream.FlushAsync(ct).ConfigureAwait(false);
        stream.Flush(flushToDisk: true);
    }

    public async Task<Fin<TableData>> ReadAsync(string directory, CancellationToken ct)
    {
        var path = Path.Combine(directory, File);
        if (!System.IO.File.Exists(path)) return FinFail<TableData>(EngineErrors.ParquetSchema(path, "file is missing"));
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: false);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: ct).ConfigureAwait(false);
        var fileFields = reader.Schema.GetDataFields();
        var fields = new List<(Column<TRow> Column, DataField Field)>();
        foreach (var column in _columns)
        {
            var expectedPath = column.Leaf == column.SchemaField ? column.Name : $"{column.Name}/list/element";
            var found = fileFields.FirstOrDefault(f => f.Path.ToString() == expectedPath);
            if (found is null || !SameKind(found, column.Leaf))
                return FinFail<TableData>(EngineErrors.ParquetSchema(path,
                    $"expected column '{column.Name}' ({column.Doc.Type}); the file has {Describe(fileFields)}"));
            fields.Add((column, found));
        }
        var readers = fields.Select(f => (f.Column.Name, f.Field, Reader: f.Column.NewReader())).ToList();
        long rowCount = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            rowCount += group.RowCount;
            foreach (var (_, field, columnReader) in readers)
                await columnReader.ReadAsync(group, field, ct).ConfigureAwait(false);
        }
        foreach (var (name, _, columnReader) in readers)
            if (columnReader.Count != rowCount)
                return FinFail<TableData>(EngineErrors.ParquetSchema(path,
                    $"column '{name}' has {columnReader.Count} rows, the file {rowCount}"));
        return FinSucc(new TableData(path, checked((int)rowCount),
            readers.ToImmutableDictionary(r => r.Name, r => r.Reader.Result)));
    }

    static bool SameKind(DataField found, DataField expected) =>
        found.MaxRepetitionLevel == expected.MaxRepetitionLevel
        && Normalize(found.ClrType) == Normalize(expected.ClrType);

    static Type Normalize(Type t) =>
        t == typeof(ReadOnlyMemory<char>) ? typeof(string) : Nullable.GetUnderlyingType(t) ?? t;

    static string Describe(IEnumerable<DataField> fields) =>
        string.Join(", ", fields.Select(f => $"'{f.Path}' ({Normalize(f.ClrType).Name}{(f.MaxRepetitionLevel > 0 ? " list" : "")})"));
}

/// <summary>The columns of a table as read: arrays indexed by row.</summary>
public sealed class TableData(string path, int rowCount, ImmutableDictionary<string, object> columns)
{
    public string Path { get; } = path;
    public int RowCount { get; } = rowCount;

    public int[] Int32(string name) => Get<int[]>(name);
    public long[] Int64(string name) => Get<long[]>(name);
    public double[] Double(string name) => Get<double[]>(name);
    public bool[] Bool(string name) => Get<bool[]>(name);
    public string[] String(string name) => Get<string[]>(name);
    public ImmutableArray<int>[] Int32List(string name) => Get<ImmutableArray<int>[]>(name);
    public ImmutableArray<float>[] FloatList(string name) => Get<ImmutableArray<float>[]>(name);

    T Get<T>(string name) where T : class =>
        columns.TryGetValue(name, out var column)
            ? column as T ?? throw new InvalidOperationException($"{Path}: column '{name}' is a {column.GetType().Name}, not {typeof(T).Name}")
            : throw new InvalidOperationException($"{Path}: column '{name}' was not declared");
}

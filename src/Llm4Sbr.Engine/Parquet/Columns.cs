using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Parquet;
using Parquet.Schema;

namespace Llm4Sbr.Engine.Parquet;

/// <summary>One column of a <see cref="ParquetTable{TRow}"/>: how to take its value from a row and
/// how to write and read it. Only plain columns and lists of numbers: readable as they are by
/// pyarrow, duckdb, pandas and Spark.</summary>
public abstract class Column<TRow>
{
    protected Column(string name, string type, string description)
    {
        Name = name;
        Doc = new ColumnDoc(name, type, description);
    }

    public string Name { get; }
    public ColumnDoc Doc { get; }
    internal abstract Field SchemaField { get; }
    /// <summary>The leaf holding the values (the element field for lists).</summary>
    internal abstract DataField Leaf { get; }
    internal abstract Task WriteAsync(ParquetRowGroupWriter writer, IReadOnlyList<TRow> rows, int start, int count, CancellationToken ct);
    internal abstract IColumnReader NewReader();
}

/// <summary>Accumulates a column's values over the row groups of a file.</summary>
internal interface IColumnReader
{
    Task ReadAsync(ParquetRowGroupReader group, DataField field, CancellationToken ct);
    object Result { get; }
    long Count { get; }
}

public sealed class ScalarColumn<TRow, T> : Column<TRow> where T : struct
{
    readonly Func<TRow, T> _get;
    readonly DataField<T> _field;

    public ScalarColumn(string name, string type, string description, Func<TRow, T> get) : base(name, type, description)
    {
        _get = get;
        _field = new DataField<T>(name, false);
    }

    internal override Field SchemaField => _field;
    internal override DataField Leaf => _field;

    internal override Task WriteAsync(ParquetRowGroupWriter writer, IReadOnlyList<TRow> rows, int start, int count, CancellationToken ct)
    {
        var values = new T[count];
        for (var i = 0; i < count; i++) values[i] = _get(rows[start + i]);
        return writer.WriteAsync<T>(_field, values, null, null, ct);
    }

    internal override IColumnReader NewReader() => new Reader();

    sealed class Reader : IColumnReader
    {
        readonly List<T[]> _chunks = [];
        public object Result => _chunks.Count == 1 ? _chunks[0] : _chunks.SelectMany(c => c).ToArray();
        public long Count => _chunks.Sum(c => (long)c.Length);

        public async Task ReadAsync(ParquetRowGroupReader group, DataField field, CancellationToken ct)
        {
            var buffer = new T[checked((int)group.RowCount)];
            await group.ReadAsync<T>(field, buffer, null, ct).ConfigureAwait(false);
            _chunks.Add(buffer);
        }
    }
}

public sealed class StringColumn<TRow> : Column<TRow>
{
    readonly Func<TRow, string> _get;
    readonly DataField<string> _field;

    public StringColumn(string name, string description, Func<TRow, string> get) : base(name, "string", description)
    {
        _get = get;
        _field = new DataField<string>(name, false);
    }

    internal override Field SchemaField => _field;
    internal override DataField Leaf => _field;

    internal override Task WriteAsync(ParquetRowGroupWriter writer, IReadOnlyList<TRow> rows, int start, int count, CancellationToken ct)
    {
        var values = new string[count];
        for (var i = 0; i < count; i++) values[i] = _get(rows[start + i]);
        return writer.WriteAsync(_field, values);
    }

    internal override IColumnReader NewReader() => new Reader();

    sealed class Reader : IColumnReader
    {
        readonly List<string> _values = [];
        public object Result => _values.ToArray();
        public long Count => _values.Count;

        public async Task ReadAsync(ParquetRowGroupReader group, DataField field, CancellationToken ct)
        {
            var buffer = new string?[checked((int)group.RowCount)];
            await group.ReadAsync(field, buffer, null, ct).ConfigureAwait(false);
            foreach (var s in buffer) _values.Add(s ?? "");
        }
    }
}

/// <summary>A <c>list&lt;T&gt;</c> column (standard three-level Parquet list, element name
/// <c>element</c>), written from flat values with repetition and definition levels. Empty lists
/// round-trip as empty lists.</summary>
public sealed class ListColumn<TRow, T> : Column<TRow> where T : struct
{
    readonly Func<TRow, ImmutableArray<T>> _get;
    readonly DataField<T> _element;
    readonly ListField _list;

    public ListColumn(string name, string type, string description, Func<TRow, ImmutableArray<T>> get) : base(name, type, description)
    {
        _get = get;
        _element = new DataField<T>("element", false);
        _list = new ListField(name, _element);
    }

    internal override Field SchemaField => _list;
    internal override DataField Leaf => _element;

    internal override Task WriteAsync(ParquetRowGroupWriter writer, IReadOnlyList<TRow> rows, int start, int count, CancellationToken ct)
    {
        var total = 0;
        var levels = 0;
        for (var i = 0; i < count; i++)
        {
            var n = _get(rows[start + i]).Length;
            total += n;
            levels += Math.Max(n, 1);
        }
        var values = new T[total];
        var definition = new int[levels];
        var repetition = new int[levels];
        int v = 0, l = 0;
        for (var i = 0; i < count; i++)
        {
            var list = _get(rows[start + i]);
            if (list.IsDefaultOrEmpty)
            {
                definition[l] = 1; // the list is present and empty
                repetition[l++] = 0;
                continue;
            }
            for (var j = 0; j < list.Length; j++)
            {
                values[v++] = list[j];
                definition[l] = 2;
                repetition[l++] = j == 0 ? 0 : 1;
            }
        }
        return writer.WriteAllPartsAsync<T>(_element, values, definition, repetition, ct);
    }

    internal override IColumnReader NewReader() => new Reader();

    sealed class Reader : IColumnReader
    {
        readonly List<ImmutableArray<T>> _lists = [];
        public object Result => _lists.ToArray();
        public long Count => _lists.Count;

        public async Task ReadAsync(ParquetRowGroupReader group, DataField field, CancellationToken ct)
        {
            var n = checked((int)(group.GetMetadata(field)?.MetaData?.NumValues
                ?? throw new InvalidDataException($"column '{field.Path}' has no chunk metadata")));
            var values = new T[n];
            var definition = new int[n];
            var repetition = new int[n];
            await group.ReadRawAsync<T>(field, values, definition, repetition, ct).ConfigureAwait(false);
            // A row starts at each repetition level 0; its values are the levels at the maximum
            // definition level (a lower one marks an empty list). Values are stored densely.
            var maxDefinition = field.MaxDefinitionLevel;
            var next = 0;
            var i = 0;
            while (i < n)
            {
                var end = i + 1;
                while (end < n && repetition[end] != 0) end++;
                var count = 0;
                for (var j = i; j < end; j++)
                    if (definition[j] == maxDefinition) count++;
                var list = new T[count];
                values.AsSpan(next, count).CopyTo(list);
                next += count;
                _lists.Add(ImmutableCollectionsMarshal.AsImmutableArray(list));
                i = end;
            }
        }
    }
}

/// <summary>Shorthands for the column kinds the codecs use.</summary>
public static class Col
{
    public static Column<TRow> Int32<TRow>(string name, string description, Func<TRow, int> get) =>
        new ScalarColumn<TRow, int>(name, "int32", description, get);
    public static Column<TRow> Int64<TRow>(string name, string description, Func<TRow, long> get) =>
        new ScalarColumn<TRow, long>(name, "int64", description, get);
    public static Column<TRow> Double<TRow>(string name, string description, Func<TRow, double> get) =>
        new ScalarColumn<TRow, double>(name, "double", description, get);
    public static Column<TRow> Bool<TRow>(string name, string description, Func<TRow, bool> get) =>
        new ScalarColumn<TRow, bool>(name, "bool", description, get);
    public static Column<TRow> String<TRow>(string name, string description, Func<TRow, string> get) =>
        new StringColumn<TRow>(name, description, get);
    public static Column<TRow> Int32List<TRow>(string name, string description, Func<TRow, ImmutableArray<int>> get) =>
        new ListColumn<TRow, int>(name, "list<int32>", description, get);
    public static Column<TRow> FloatList<TRow>(string name, string description, Func<TRow, ImmutableArray<float>> get) =>
        new ListColumn<TRow, float>(name, "list<float>", description, get);
}

using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Intent;

/// <summary>Pieces the intent codecs share: the list of views as a table, one-row tables, and
/// embedding matrices as <c>list&lt;float&gt;</c> columns.</summary>
internal static class IntentTables
{
    /// <summary><c>views.parquet</c>: the views in configured order (kept even when there are no rows).</summary>
    public static readonly ParquetTable<string> Views = new("views.parquet",
        "The views, in configured order (the order of rows per sample in the other tables).",
        Col.String<string>("view", "View name (long, short, normal or a configured one).", v => v));

    public static Fin<ImmutableArray<string>> ReadViews(TableData t) => FinSucc<ImmutableArray<string>>([.. t.String("view")]);

    /// <summary>Fails unless the table has exactly one row.</summary>
    public static Fin<TableData> OneRow(TableData t) =>
        t.RowCount == 1 ? FinSucc(t) : FinFail<TableData>(EngineErrors.ParquetSchema(t.Path, $"expected one row, found {t.RowCount}"));

    /// <summary>Fails unless <paramref name="column"/> holds 0, 1, 2, ... (ids that are row numbers).</summary>
    public static Fin<TableData> Sequential(TableData t, string column)
    {
        var ids = t.Int32(column);
        for (var i = 0; i < ids.Length; i++)
            if (ids[i] != i) return FinFail<TableData>(EngineErrors.ParquetSchema(t.Path, $"row {i}: {column} is {ids[i]}, expected {i} (rows in id order)"));
        return FinSucc(t);
    }

    /// <summary>Row <paramref name="row"/> of a matrix as a list value.</summary>
    public static ImmutableArray<float> Row(EmbeddingMatrix m, int row) => ImmutableArray.Create(m.Row(row));

    /// <summary>Packs list values into a matrix of <paramref name="dim"/> columns; every list must have that length.</summary>
    public static Fin<EmbeddingMatrix> Matrix(ImmutableArray<float>[] rows, int dim, string path, string column)
    {
        if (dim < 1) return FinFail<EmbeddingMatrix>(EngineErrors.ParquetSchema(path, $"dimension {dim} is not positive"));
        var data = new float[checked(rows.Length * dim)];
        for (var r = 0; r < rows.Length; r++)
        {
            if (rows[r].Length != dim)
                return FinFail<EmbeddingMatrix>(EngineErrors.ParquetSchema(path, $"row {r}: '{column}' holds {rows[r].Length} values, expected {dim}"));
            rows[r].AsSpan().CopyTo(data.AsSpan(r * dim, dim));
        }
        return FinSucc(new EmbeddingMatrix(rows.Length, dim, data));
    }
}

using System.Collections.Immutable;

namespace Llm4Sbr.Engine.Parquet;

/// <summary>The documented schema of one column: its name, its Parquet type as other tools show it
/// (<c>int32</c>, <c>int64</c>, <c>double</c>, <c>bool</c>, <c>string</c>, <c>list&lt;int32&gt;</c>,
/// <c>list&lt;float&gt;</c>) and what it holds.</summary>
public sealed record ColumnDoc(string Name, string Type, string Description);

/// <summary>The documented schema of one Parquet file a codec writes.</summary>
public sealed record TableDoc(string File, string Description, ImmutableArray<ColumnDoc> Columns)
{
    public string ToMarkdown() =>
        $"`{File}`: {Description}\n\n| column | type | meaning |\n|---|---|---|\n"
        + string.Concat(Columns.Select(c => $"| `{c.Name}` | {c.Type} | {c.Description} |\n"));
}

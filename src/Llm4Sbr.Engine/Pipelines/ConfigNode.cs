using System.Collections.Immutable;

namespace Llm4Sbr.Engine.Pipelines;

/// <summary>A pipeline file as an immutable tree, each node with its 1-based line, independent of
/// the YAML library (JSON files parse to the same tree).</summary>
public abstract record ConfigNode(long Line)
{
    public abstract string Describe();
}

/// <summary>A scalar as written. <see cref="IsNull"/> for <c>~</c>, <c>null</c> or nothing.</summary>
public sealed record ConfigScalar(string Value, bool Quoted, long Line) : ConfigNode(Line)
{
    public bool IsNull => !Quoted && Value is "" or "~" or "null" or "Null" or "NULL";
    public override string Describe() => IsNull ? "null" : $"'{Value}'";
}

public sealed record ConfigList(ImmutableArray<ConfigNode> Items, long Line) : ConfigNode(Line)
{
    public override string Describe() => "a list";
}

public sealed record ConfigEntry(string Key, ConfigNode Value, long Line);

public sealed record ConfigMap(ImmutableArray<ConfigEntry> Entries, long Line) : ConfigNode(Line)
{
    public static ConfigMap Empty { get; } = new([], 0);
    public ConfigEntry? Find(string key) => Entries.FirstOrDefault(e => e.Key == key);
    public override string Describe() => "a mapping";
}

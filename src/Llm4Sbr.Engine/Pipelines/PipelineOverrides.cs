using System.Collections.Immutable;
using System.Text.RegularExpressions;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Pipelines;

/// <summary>Values that replace (or add) keys of a pipeline file, e.g. from the command line:
/// <c>llm.engine=ollama</c>, <c>llm.model=qwen2.5:7b</c>, <c>llm.endpoints=[http://a:11434, http://b:11434]</c>.
/// They are applied to the parsed tree before the modules read it, so an overridden value is
/// validated exactly like one written in the file; its errors name the key, the valid options and
/// where the value came from (its <see cref="PipelineOverride.Origin"/>, e.g. <c>--llm</c>), not a
/// file line.
/// <para>Immutable: <see cref="Set"/>, <see cref="SetList"/> and <see cref="SetYaml"/> return a new
/// set. A later override of the same key path wins. A key path is dot-separated keys
/// (<c>section.key</c> or deeper); missing mappings on the way are created. Nothing throws on bad
/// input: a malformed path or value is reported by <see cref="Apply"/>.</para></summary>
public sealed partial class PipelineOverrides
{
    /// <summary>Line number given to nodes that come from overrides: no line in any file.</summary>
    public const long OverrideLine = 0;

    readonly ImmutableArray<PipelineOverride> _items;

    PipelineOverrides(ImmutableArray<PipelineOverride> items) => _items = items;

    public static PipelineOverrides None { get; } = new([]);

    public ImmutableArray<PipelineOverride> Items => _items;
    public bool IsEmpty => _items.IsEmpty;

    /// <summary>One plain value, read as if it were written unquoted in the file: <c>0.2</c> reads
    /// as a number, <c>true</c> as a boolean, an empty string as "not set" (the default).</summary>
    public PipelineOverrides Set(string keyPath, string value, string? origin = null) =>
        Add(new PipelineOverride(keyPath, new ConfigScalar(value, false, OverrideLine), value, origin));

    /// <summary>A list of plain values (e.g. every <c>--llm-endpoint</c>), replacing the file's list.</summary>
    public PipelineOverrides SetList(string keyPath, IEnumerable<string> values, string? origin = null)
    {
        var list = values.ToImmutableArray();
        var node = new ConfigList([.. list.Select(v => (ConfigNode)new ConfigScalar(v, false, OverrideLine))], OverrideLine);
        return Add(new PipelineOverride(keyPath, node, "[" + string.Join(", ", list) + "]", origin));
    }

    /// <summary>A value written in YAML (flow style: <c>[a, b]</c>, <c>{k: 3}</c>, <c>'quoted'</c>), as
    /// a generic <c>--set key.path=VALUE</c> would give it. A value that is not valid YAML is reported
    /// by <see cref="Apply"/>.</summary>
    public PipelineOverrides SetYaml(string keyPath, string yaml, string? origin = null) =>
        Add(new PipelineOverride(keyPath, ParseValue(yaml), yaml, origin));

    /// <summary>Parses <c>key.path=value</c> assignments (the value as in <see cref="SetYaml"/>).
    /// An assignment without '=' is an error naming it.</summary>
    public static Fin<PipelineOverrides> Parse(IEnumerable<string> assignments, string? origin = null)
    {
        var result = None;
        foreach (var assignment in assignments)
        {
            var eq = assignment.IndexOf('=');
            if (eq <= 0)
                return FinFail<PipelineOverrides>(Error.New(EngineErrors.InvalidValueCode,
                    $"override '{assignment}' is not of the form key.path=value (e.g. llm.engine=ollama)"));
            result = result.SetYaml(assignment[..eq].Trim(), assignment[(eq + 1)..].Trim(), origin);
        }
        return FinSucc(result);
    }

    PipelineOverrides Add(PipelineOverride item) => new(_items.Add(item));

    /// <summary>The tree with every override applied, in order. Errors (a malformed key path, a
    /// value that is not YAML, a path through a value that is not a mapping) name the override.</summary>
    public Validation<Error, ConfigMap> Apply(ConfigMap root)
    {
        var errors = new List<Error>();
        foreach (var item in _items)
        {
            if (item.Value is null)
            {
                errors.Add(Error.New(EngineErrors.InvalidValueCode, $"{item.Describe()}: '{item.Text}' is not a valid YAML value"));
                continue;
            }
            var keys = item.KeyPath.Split('.');
            if (keys.Any(k => !KeySegment().IsMatch(k)))
            {
                errors.Add(Error.New(EngineErrors.InvalidValueCode,
                    $"{item.Describe()}: '{item.KeyPath}' is not a key path (keys of letters, digits, '_' or '-', joined by '.', e.g. llm.engine)"));
                continue;
            }
            var replaced = Replace(root, keys, 0, item.Value);
            if (replaced.Error is { } problem)
                errors.Add(Error.New(EngineErrors.InvalidValueCode, $"{item.Describe()}: {problem}"));
            else
                root = replaced.Map!;
        }
        return errors.Count == 0 ? Success<Error, ConfigMap>(root) : Fail<Error, ConfigMap>(errors.ToSeq());
    }

    /// <summary>Rewrites errors about overridden keys so they name the override's origin instead of
    /// the file: <c>pipelines/x.yaml: llm.engine: 'foo' is not one of ... (line 0)</c> becomes
    /// <c>--llm: llm.engine: 'foo' is not one of ...</c>. Other errors pass unchanged.</summary>
    public Error Relabel(Error error, string file)
    {
        var prefix = file + ": ";
        if (!error.Message.StartsWith(prefix, StringComparison.Ordinal)) return error;
        var rest = error.Message[prefix.Length..];
        var end = rest.IndexOf(": ", StringComparison.Ordinal);
        if (end <= 0) return error;
        var path = rest[..end];
        // The last override of a path wins, so it is the one to name.
        var noLine = $" (line {OverrideLine})";
        var atOverrideNode = rest.EndsWith(noLine, StringComparison.Ordinal);
        var item = _items.LastOrDefault(i => Covers(i.KeyPath, path, atOverrideNode));
        if (item is null) return error;
        var message = atOverrideNode ? rest[..^noLine.Length] : rest;
        return Error.New(error.Code, $"{item.Origin ?? item.Describe()}: {message}");
    }

    public Seq<Error> Relabel(Seq<Error> errors, string file) => errors.Map(e => Relabel(e, file));

    /// <summary>An error at <paramref name="errorPath"/> concerns an override of <paramref name="keyPath"/>
    /// when it is the key itself, inside its value (<c>llm.endpoints[1]</c>), or a mapping the override
    /// created on its way (<c>foo</c> for <c>foo.bar=1</c>: only overrides create line-0 nodes, so an
    /// ancestor counts only when the error carries that line).</summary>
    static bool Covers(string keyPath, string errorPath, bool atOverrideNode) =>
        errorPath == keyPath
        || errorPath.StartsWith(keyPath + ".", StringComparison.Ordinal)
        || errorPath.StartsWith(keyPath + "[", StringComparison.Ordinal)
        || (atOverrideNode && keyPath.StartsWith(errorPath + ".", StringComparison.Ordinal));

    static (ConfigMap? Map, string? Error) Replace(ConfigMap map, string[] keys, int depth, ConfigNode value)
    {
        var key = keys[depth];
        var entry = map.Find(key);
        ConfigNode newValue;
        if (depth == keys.Length - 1)
        {
            newValue = value;
        }
        else
        {
            var child = entry?.Value switch
            {
                null => ConfigMap.Empty with { Line = OverrideLine },
                ConfigScalar { IsNull: true } => ConfigMap.Empty with { Line = OverrideLine },
                ConfigMap m => m,
                _ => null,
            };
            if (child is null)
                return (null, $"'{string.Join('.', keys[..(depth + 1)])}' holds {entry!.Value.Describe()}, not a mapping of keys");
            var inner = Replace(child, keys, depth + 1, value);
            if (inner.Error is not null) return inner;
            newValue = inner.Map!;
        }
        var entries = entry is null
            ? map.Entries.Add(new ConfigEntry(key, newValue, OverrideLine))
            : map.Entries.Replace(entry, depth == keys.Length - 1
                ? new ConfigEntry(key, newValue, OverrideLine) // the file's line no longer describes the value
                : entry with { Value = newValue });
        return (map with { Entries = entries }, null);
    }

    static ConfigNode? ParseValue(string yaml)
    {
        if (yaml.Length == 0) return new ConfigScalar("", false, OverrideLine);
        var node = YamlConfig.Parse("value: " + yaml, "override").Match(Succ: parsed => parsed.Find("value")?.Value, Fail: _ => null);
        return node is null ? null : Relined(node);
    }

    static ConfigNode Relined(ConfigNode node) => node switch
    {
        ConfigScalar s => s with { Line = OverrideLine },
        ConfigList l => new ConfigList([.. l.Items.Select(Relined)], OverrideLine),
        ConfigMap m => new ConfigMap([.. m.Entries.Select(e => new ConfigEntry(e.Key, Relined(e.Value), OverrideLine))], OverrideLine),
        _ => node,
    };

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex KeySegment();
}

/// <summary>One override: the key path, its value as a config node (null when the text given to
/// <see cref="PipelineOverrides.SetYaml"/> is not YAML), the text as given, and where it came from
/// (e.g. <c>--llm-model</c>; null: shown as <c>override KEY=VALUE</c>).</summary>
public sealed record PipelineOverride(string KeyPath, ConfigNode? Value, string Text, string? Origin)
{
    public string Describe() => $"override {KeyPath}={Text}";
}

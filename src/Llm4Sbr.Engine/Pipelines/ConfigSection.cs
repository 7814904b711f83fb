using System.Collections.Immutable;
using System.Globalization;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Pipelines;

/// <summary>One mapping of a pipeline file (a top-level section such as <c>samples</c>, or a
/// nested one), with where it sits. An absent section reads as empty, so every key takes its
/// default. A module turns it into its configuration record with <see cref="Read{T}"/>.</summary>
public sealed class ConfigSection
{
    public ConfigSection(string file, string path, ConfigNode? node, long? line = null)
    {
        File = file;
        Path = path;
        Node = node;
        Line = line ?? node?.Line;
    }

    public string File { get; }
    /// <summary>Dotted key path of the section, e.g. <c>samples</c> or <c>llm.endpoints[1]</c>.</summary>
    public string Path { get; }
    public ConfigNode? Node { get; }
    public long? Line { get; }
    public bool IsPresent => Node is not null && Node is not ConfigScalar { IsNull: true };

    public EngineErrors.ConfigLocation Location => new(File, Path, Line);

    /// <summary>Reads the section into a value. <paramref name="read"/> must ask for every key the
    /// section may hold (unconditionally, then validate across keys): any key it did not ask for
    /// is reported as unknown, naming the keys it did. All errors are collected, not just the first.</summary>
    public Validation<Error, T> Read<T>(Func<SectionReader, T> read)
    {
        if (Node is not null and not ConfigMap and not ConfigScalar { IsNull: true })
            return Fail<Error, T>(EngineErrors.WrongType(Location, Node.Describe(), "a mapping of keys"));
        var reader = new SectionReader(this, Node as ConfigMap ?? ConfigMap.Empty);
        var value = read(reader);
        var errors = reader.Finish();
        return errors.IsEmpty ? Success<Error, T>(value) : Fail<Error, T>(errors);
    }
}

/// <summary>Typed accessors over one section, used inside <see cref="ConfigSection.Read{T}"/>.
/// Each accessor returns a usable value (the default when the key is absent or bad) and records
/// any error, so a module reads all its keys in one pass and the user sees every problem at once.</summary>
public sealed class SectionReader
{
    readonly ConfigSection _section;
    readonly ConfigMap _map;
    readonly List<string> _asked = [];
    readonly List<Error> _errors = [];

    internal SectionReader(ConfigSection section, ConfigMap map)
    {
        _section = section;
        _map = map;
    }

    public string SectionPath => _section.Path;

    public bool Has(string key)
    {
        Ask(key);
        return _map.Find(key) is { Value: not ConfigScalar { IsNull: true } };
    }

    public EngineErrors.ConfigLocation Location(string key) =>
        new(_section.File, Join(_section.Path, key), _map.Find(key)?.Line ?? _section.Line);

    /// <summary>Records a validation error of the module's own (a cross-key rule, say) at <paramref name="key"/>.</summary>
    public void Fail(string key, string message) => _errors.Add(EngineErrors.InvalidValue(Location(key), message));

    public string RequiredString(string key, string expected) =>
        Scalar(key) is { } s ? s.Value : Missing(key, expected, "");

    public string String(string key, string fallback) => Scalar(key)?.Value ?? fallback;

    public string? OptionalString(string key) => Scalar(key)?.Value;

    public bool Bool(string key, bool fallback)
    {
        if (Scalar(key) is not { } s) return fallback;
        if (!s.Quoted && s.Value is "true" or "True" or "TRUE") return true;
        if (!s.Quoted && s.Value is "false" or "False" or "FALSE") return false;
        return Wrong(key, s, "one of true, false", fallback);
    }

    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        (int)Long(key, fallback, min, max);

    public int RequiredInt(string key, int min = int.MinValue, int max = int.MaxValue) =>
        Has(key) ? Int(key, 0, min, max) : Missing(key, "an integer", 0);

    public long Long(string key, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        if (Scalar(key) is not { } s) return fallback;
        if (s.Quoted || !long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            return Wrong(key, s, "an integer", fallback);
        if (value < min || value > max)
        {
            _errors.Add(EngineErrors.OutOfRange(Location(key), s.Value, DescribeRange(min, max)));
            return fallback;
        }
        return value;
    }

    /// <summary>A number; <paramref name="above"/>/<paramref name="below"/> are exclusive bounds,
    /// <paramref name="min"/>/<paramref name="max"/> inclusive ones.</summary>
    public double Double(string key, double fallback, double? above = null, double? below = null, double? min = null, double? max = null)
    {
        if (Scalar(key) is not { } s) return fallback;
        if (s.Quoted || !double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            return Wrong(key, s, "a number", fallback);
        if (value <= above || value >= below || value < min || value > max)
        {
            var parts = new List<string>();
            if (above is { } a) parts.Add($"greater than {Fmt(a)}");
            if (min is { } m) parts.Add($"at least {Fmt(m)}");
            if (below is { } b) parts.Add($"less than {Fmt(b)}");
            if (max is { } x) parts.Add($"at most {Fmt(x)}");
            _errors.Add(EngineErrors.OutOfRange(Location(key), s.Value, "a number " + string.Join(" and ", parts)));
            return fallback;
        }
        return value;
    }

    public T Choice<T>(string key, ConfigChoices<T> choices, T fallback) where T : notnull
    {
        if (Scalar(key) is not { } s) return fallback;
        if (choices.TryParse(s.Value, out var value)) return value;
        _errors.Add(EngineErrors.NotOneOf(Location(key), s.Value, choices.Names));
        return fallback;
    }

    public T RequiredChoice<T>(string key, ConfigChoices<T> choices) where T : notnull =>
        Has(key) ? Choice(key, choices, default!) : Missing(key, $"one of {string.Join(", ", choices.Names)}", default(T)!);

    public ImmutableArray<string> StringList(string key, ImmutableArray<string> fallback)
    {
        Ask(key);
        var entry = _map.Find(key);
        switch (entry?.Value)
        {
            case null:
            case ConfigScalar { IsNull: true }:
                return fallback;
            case ConfigList list:
                var items = ImmutableArray.CreateBuilder<string>();
                for (var i = 0; i < list.Items.Length; i++)
                {
                    if (list.Items[i] is ConfigScalar { IsNull: false } s) items.Add(s.Value);
                    else _errors.Add(EngineErrors.WrongType(
                        new(_section.File, $"{Join(_section.Path, key)}[{i}]", list.Items[i].Line), list.Items[i].Describe(), "a string"));
                }
                return items.ToImmutable();
            default:
                return Wrong(key, entry.Value, "a list", fallback);
        }
    }

    /// <summary>A nested mapping, read with its own <see cref="ConfigSection.Read{T}"/>.</summary>
    public ConfigSection Section(string key)
    {
        Ask(key);
        var entry = _map.Find(key);
        return new ConfigSection(_section.File, Join(_section.Path, key), entry?.Value, entry?.Line ?? _section.Line);
    }

    /// <summary>A list of nested mappings (<c>key[0]</c>, <c>key[1]</c>, ...).</summary>
    public ImmutableArray<ConfigSection> SectionList(string key)
    {
        Ask(key);
        var entry = _map.Find(key);
        switch (entry?.Value)
        {
            case null:
            case ConfigScalar { IsNull: true }:
                return [];
            case ConfigList list:
                return [.. list.Items.Select((item, i) => new ConfigSection(_section.File, $"{Join(_section.Path, key)}[{i}]", item))];
            default:
                return Wrong(key, entry.Value, "a list", ImmutableArray<ConfigSection>.Empty);
        }
    }

    internal Seq<Error> Finish()
    {
        var known = _asked.Distinct().ToList();
        foreach (var entry in _map.Entries.Where(e => !known.Contains(e.Key)))
            _errors.Add(EngineErrors.UnknownKey(new(_section.File, Join(_section.Path, entry.Key), entry.Line), known));
        return _errors.ToSeq();
    }

    ConfigScalar? Scalar(string key)
    {
        Ask(key);
        var entry = _map.Find(key);
        switch (entry?.Value)
        {
            case null:
            case ConfigScalar { IsNull: true }:
                return null;
            case ConfigScalar s:
                return s;
            default:
                _errors.Add(EngineErrors.WrongType(Location(key), entry.Value.Describe(), "a single value"));
                return null;
        }
    }

    void Ask(string key)
    {
        if (!_asked.Contains(key)) _asked.Add(key);
    }

    T Missing<T>(string key, string expected, T fallback)
    {
        _errors.Add(EngineErrors.MissingKey(Location(key), expected));
        return fallback;
    }

    T Wrong<T>(string key, ConfigNode found, string expected, T fallback)
    {
        _errors.Add(EngineErrors.WrongType(Location(key), found.Describe(), expected));
        return fallback;
    }

    static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    static string Fmt(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    static string DescribeRange(long min, long max) => (min, max) switch
    {
        (long.MinValue, long.MaxValue) => "an integer",
        (_, long.MaxValue) or (_, int.MaxValue) => $"an integer of at least {min}",
        (long.MinValue, _) or (int.MinValue, _) => $"an integer of at most {max}",
        _ => $"an integer from {min} to {max}",
    };
}

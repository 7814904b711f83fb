using System.Collections.Immutable;
using System.Globalization;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Baselines;

/// <summary>Reads a model's options from string parameters (as given in a config file or on the
/// command line), collecting every problem: malformed values name the key and the expected form,
/// unknown keys name the valid ones. Keys are case-insensitive.</summary>
internal sealed class ParameterReader
{
    private readonly string _model;
    private readonly Dictionary<string, string> _parameters;
    private readonly List<string> _known = [];
    private readonly List<string> _errors = [];

    public ParameterReader(string model, IReadOnlyDictionary<string, string>? parameters)
    {
        _model = model;
        _parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in parameters ?? ImmutableDictionary<string, string>.Empty)
            if (!_parameters.TryAdd(key.Trim(), value.Trim()))
                _errors.Add($"parameter '{key}' is given twice");
    }

    public int Int(string key, int fallback) =>
        Read(key, fallback, "an integer", s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null);

    public long Long(string key, long fallback) =>
        Read(key, fallback, "an integer", s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null);

    /// <summary>Also accepts <c>inf</c> / <c>infinity</c>.</summary>
    public double Double(string key, double fallback) =>
        Read(key, fallback, "a number", s =>
            s.Equals("inf", StringComparison.OrdinalIgnoreCase) || s.Equals("infinity", StringComparison.OrdinalIgnoreCase) ? double.PositiveInfinity
            : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : (double?)null);

    public bool Bool(string key, bool fallback) =>
        Read(key, fallback, "true or false", s => bool.TryParse(s, out var v) ? v : (bool?)null);

    /// <summary>Enum values by name, case-insensitive, underscores ignored.</summary>
    public TEnum Enum<TEnum>(string key, TEnum fallback) where TEnum : struct, Enum
    {
        var names = System.Enum.GetNames<TEnum>();
        return Read(key, fallback, "one of " + string.Join(", ", names.Select(n => n.ToLowerInvariant())), s =>
        {
            var match = names.FirstOrDefault(n => string.Equals(n, s.Replace("_", ""), StringComparison.OrdinalIgnoreCase));
            return match is null ? null : System.Enum.Parse<TEnum>(match);
        });
    }

    /// <summary>Builds the options, or fails with every problem found (and the valid keys).</summary>
    public Fin<T> Finish<T>(Func<T> build)
    {
        foreach (var key in _parameters.Keys.Where(k => !_known.Contains(k, StringComparer.OrdinalIgnoreCase)).Order())
            _errors.Add($"unknown parameter '{key}'; valid parameters: {(_known.Count == 0 ? "none" : string.Join(", ", _known))}");
        return _errors.Count == 0
            ? FinSucc(build())
            : FinFail<T>(Error.New($"model '{_model}': " + string.Join("; ", _errors)));
    }

    private T Read<T>(string key, T fallback, string expected, Func<string, T?> parse) where T : struct
    {
        _known.Add(key);
        if (!_parameters.TryGetValue(key, out var text)) return fallback;
        var value = parse(text);
        if (value is null) _errors.Add($"parameter '{key}' = '{text}' is not {expected}");
        return value ?? fallback;
    }
}

/// <summary>Shared checks of option values; each returns the problem or null.</summary>
internal static class Checks
{
    public static string? AtLeast(string key, double value, double minimum) =>
        value >= minimum ? null : $"{key} must be at least {minimum.ToString(CultureInfo.InvariantCulture)}, got {value.ToString(CultureInfo.InvariantCulture)}";

    public static string? Positive(string key, double value) =>
        value > 0 && !double.IsNaN(value) ? null : $"{key} must be positive, got {value.ToString(CultureInfo.InvariantCulture)}";

    public static string? InRange(string key, double value, double low, double high) =>
        value >= low && value <= high ? null
            : $"{key} must be in [{low.ToString(CultureInfo.InvariantCulture)}, {high.ToString(CultureInfo.InvariantCulture)}], got {value.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Succeeds with <paramref name="options"/> when there is no problem.</summary>
    public static Fin<T> Validate<T>(string model, T options, params string?[] problems)
    {
        var found = problems.Where(p => p is not null).ToArray();
        return found.Length == 0 ? FinSucc(options) : FinFail<T>(Error.New($"model '{model}': " + string.Join("; ", found)));
    }
}

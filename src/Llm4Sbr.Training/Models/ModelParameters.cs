using System.Collections.Immutable;
using System.Globalization;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Training.Models;

public enum ParameterKind { Integer, Real, Choice }

/// <summary>One key a model accepts under <c>model_params</c>: its kind, default and valid range (or
/// choices). Values travel as invariant text, so a key given in a pipeline is part of the memo key exactly
/// as written, and a default never is. <see cref="KeyedAtDefault"/> false marks a key added after fits were
/// cached whose default reproduces them: at its default it stays out of the fit key
/// (<see cref="ModelParameters.KeyText"/>), so those fits stand.</summary>
public sealed record ParameterSpec(string Name, ParameterKind Kind, string Default, double Min, double Max, ImmutableArray<string> Choices, string Description)
{
    public bool KeyedAtDefault { get; init; } = true;

    public static ParameterSpec Integer(string name, int @default, int min, int max, string description) =>
        new(name, ParameterKind.Integer, @default.ToString(CultureInfo.InvariantCulture), min, max, [], description);

    public static ParameterSpec Real(string name, double @default, double min, double max, string description) =>
        new(name, ParameterKind.Real, @default.ToString("R", CultureInfo.InvariantCulture), min, max, [], description);

    public static ParameterSpec Choice(string name, string @default, ImmutableArray<string> choices, string description) =>
        new(name, ParameterKind.Choice, @default, 0, 0, choices, description);

    /// <summary>The value in canonical text, or an error naming the key and its valid range.</summary>
    public Fin<string> Check(string text)
    {
        var value = text.Trim();
        switch (Kind)
        {
            case ParameterKind.Integer:
                return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= Min && i <= Max
                    ? FinSucc(i.ToString(CultureInfo.InvariantCulture))
                    : Error.New($"'{Name}' must be an integer from {Min} to {Max}, got '{text}'");
            case ParameterKind.Real:
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= Min && d <= Max
                    ? FinSucc(d.ToString("R", CultureInfo.InvariantCulture))
                    : Error.New($"'{Name}' must be a number from {Min.ToString(CultureInfo.InvariantCulture)} to {Max.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
            default:
                var lower = value.ToLowerInvariant();
                return Choices.Contains(lower) ? FinSucc(lower) : Error.New($"'{Name}' must be one of {string.Join(", ", Choices)}, got '{text}'");
        }
    }

    public override string ToString() => Kind switch
    {
        ParameterKind.Choice => $"{Name} ({string.Join(" | ", Choices)}, default {Default}): {Description}",
        _ => $"{Name} ({Min.ToString(CultureInfo.InvariantCulture)}..{Max.ToString(CultureInfo.InvariantCulture)}, default {Default}): {Description}",
    };
}

/// <summary>The keys a model accepts.</summary>
public sealed record ParameterSchema(ImmutableArray<ParameterSpec> Specs)
{
    public static ParameterSchema Empty { get; } = new([]);

    public ImmutableArray<string> Names => [.. Specs.Select(s => s.Name)];

    public ParameterSchema With(ParameterSchema other) => new([.. Specs, .. other.Specs]);

    /// <summary>The given values, each checked and in canonical text; an unknown key is an error that
    /// lists the valid ones.</summary>
    public Fin<ImmutableSortedDictionary<string, string>> Check(string model, IReadOnlyDictionary<string, string> given) =>
        given.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Check(model, p.Key, p.Value))
            .AllOrFirstError()
            // SetItem: keys that differ only in case name one parameter, and the last of them wins
            .Map(values => values.Aggregate(ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal), (all, v) => all.SetItem(v.Name, v.Value)));

    Fin<(string Name, string Value)> Check(string model, string key, string text)
    {
        var spec = Specs.FirstOrDefault(s => string.Equals(s.Name, key, StringComparison.OrdinalIgnoreCase));
        return spec is null
            ? Error.New($"model '{model}' has no parameter '{key}'; valid parameters: {(Specs.IsEmpty ? "(none)" : string.Join(", ", Names))}")
            : spec.Check(text).Prefixed($"model '{model}'").Map(value => (spec.Name, value));
    }

    /// <summary>Every key's value: <paramref name="given"/> where present, else <paramref name="defaults"/>,
    /// else the schema's default.</summary>
    public ModelParameters Resolve(IReadOnlyDictionary<string, string> given, IReadOnlyDictionary<string, string>? defaults = null)
    {
        var values = Specs.ToImmutableSortedDictionary(
            s => s.Name,
            s => given.TryGetValue(s.Name, out var v) ? v : defaults is not null && defaults.TryGetValue(s.Name, out var d) ? d : s.Default,
            StringComparer.Ordinal);
        return new(values)
        {
            Unkeyed = [.. Specs.Where(s => !s.KeyedAtDefault && values[s.Name] == s.Default).Select(s => s.Name)],
        };
    }
}

/// <summary>A model's resolved parameters (every key of its schema), as canonical text.</summary>
public sealed record ModelParameters(ImmutableSortedDictionary<string, string> Values)
{
    public static ModelParameters None { get; } = new(ImmutableSortedDictionary<string, string>.Empty);

    public int Integer(string name) => int.Parse(Get(name), CultureInfo.InvariantCulture);
    public double Real(string name) => double.Parse(Get(name), CultureInfo.InvariantCulture);
    public string Choice(string name) => Get(name);

    private string Get(string name) => Values.TryGetValue(name, out var v) ? v
        : throw new KeyNotFoundException($"parameter '{name}' was not resolved; resolved: {string.Join(", ", Values.Keys)}");

    /// <summary>Keys resolved to their default whose spec is not keyed at its default
    /// (<see cref="ParameterSpec.KeyedAtDefault"/>); <see cref="KeyText"/> leaves them out.</summary>
    public ImmutableHashSet<string> Unkeyed { get; init; } = [];

    public override string ToString() => string.Join(",", Values.Select(p => $"{p.Key}={p.Value}"));

    /// <summary>The values as the fit key holds them: <see cref="ToString"/> less <see cref="Unkeyed"/>.</summary>
    public string KeyText => string.Join(",", Values.Where(p => !Unkeyed.Contains(p.Key)).Select(p => $"{p.Key}={p.Value}"));

    public bool Equals(ModelParameters? other) => other is not null && Values.SequenceEqual(other.Values);
    public override int GetHashCode() => Values.Aggregate(0, (h, p) => HashCode.Combine(h, p.Key, p.Value));
}

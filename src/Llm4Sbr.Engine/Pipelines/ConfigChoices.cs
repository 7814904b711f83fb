using System.Collections.Immutable;

namespace Llm4Sbr.Engine.Pipelines;

/// <summary>The spellings a pipeline file may use for the values of <typeparamref name="T"/>, in
/// the order error messages list them.</summary>
public sealed class ConfigChoices<T> where T : notnull
{
    readonly ImmutableArray<(string Name, T Value)> _choices;

    public ConfigChoices(params (string Name, T Value)[] choices) => _choices = [.. choices];

    public IEnumerable<string> Names => _choices.Select(c => c.Name);

    public bool TryParse(string name, out T value)
    {
        foreach (var choice in _choices)
            if (choice.Name == name)
            {
                value = choice.Value;
                return true;
            }
        value = default!;
        return false;
    }

    public string NameOf(T value) =>
        _choices.First(c => EqualityComparer<T>.Default.Equals(c.Value, value)).Name;
}

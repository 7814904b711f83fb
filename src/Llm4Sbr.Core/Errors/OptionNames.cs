using System.Text;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Errors;

/// <summary>Enum values as they are written in pipeline files: kebab-case
/// (<c>SamplingMode.AllPrefixes</c> is <c>all-prefixes</c>, <c>DatasetFormat.MovieLensCsv</c> is
/// <c>movie-lens-csv</c>). Parsing is case-insensitive and also accepts the C# name; a bad value
/// gets an error naming the option and every valid choice.</summary>
public static class OptionNames
{
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum => Kebab(value.ToString());

    public static IReadOnlyList<string> All<TEnum>() where TEnum : struct, Enum =>
        [.. Enum.GetValues<TEnum>().Select(v => Of(v))];

    public static Fin<TEnum> Parse<TEnum>(string option, string? text) where TEnum : struct, Enum
    {
        var wanted = (text ?? "").Trim();
        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Of(value), wanted, StringComparison.OrdinalIgnoreCase)
                || string.Equals(value.ToString(), wanted, StringComparison.OrdinalIgnoreCase))
                return FinSucc(value);
        }
        return FinFail<TEnum>(DataErrors.InvalidOption(option, text, "one of " + string.Join(" | ", All<TEnum>())));
    }

    private static string Kebab(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0) text.Append('-');
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}

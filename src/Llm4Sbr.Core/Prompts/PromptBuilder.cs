using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Core.Prompts;

/// <summary>The <c>prompts</c> stage: pure, deterministic.</summary>
public static class PromptBuilder
{
    /// <summary>Bump when the produced text changes for the same inputs.</summary>
    public const string Version = "prompts-1";

    /// <summary>One prompt for one sample and view. Fails (naming sample and item) when an item has no
    /// entry in <paramref name="items"/> or the sample has no clicks.</summary>
    public static Fin<PromptRecord> Build(Sample sample, IReadOnlyDictionary<int, Item> items, ViewSpec view, PromptOptions options)
    {
        var problem = TryBuild(sample, items, view, options, new StringBuilder(), out var prompt);
        return problem is null ? prompt! : Error.New(problem);
    }

    /// <summary>All prompts, ordered by sample (input order) then view (configured order).</summary>
    public static Fin<ImmutableArray<PromptRecord>> BuildAll(
        IEnumerable<Sample> samples, IReadOnlyDictionary<int, Item> items, IReadOnlyList<ViewSpec> views, PromptOptions options)
        => Views.Validate(views).Bind(_ => BuildValidated(samples, items, views, options));

    static Fin<ImmutableArray<PromptRecord>> BuildValidated(
        IEnumerable<Sample> samples, IReadOnlyDictionary<int, Item> items, IReadOnlyList<ViewSpec> views, PromptOptions options)
    {
        var result = ImmutableArray.CreateBuilder<PromptRecord>();
        var buffer = new StringBuilder();
        foreach (var sample in samples)
            foreach (var view in views)
            {
                var problem = TryBuild(sample, items, view, options, buffer, out var prompt);
                if (problem is not null) return Error.New(problem);
                result.Add(prompt!);
            }
        return result.ToImmutable();
    }

    /// <summary>The question line for a view: <c>{qualifier}</c> becomes " " + qualifier, or nothing.</summary>
    public static string Question(PromptTemplate template, ViewSpec view) => Fill(template.Question, ("{qualifier}", Qualifier(view)));

    /// <summary>The last <paramref name="maxItems"/> clicks, oldest first.</summary>
    public static ImmutableArray<int> Cut(ImmutableArray<int> clicks, int maxItems) =>
        clicks.Length <= maxItems ? clicks : clicks.Slice(clicks.Length - maxItems, maxItems);

    /// <summary>Lower-case hex SHA-256 of the UTF-8 bytes.</summary>
    public static string Hash(string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = length <= 4096 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> bytes = rented ?? stackalloc byte[4096];
            var written = Encoding.UTF8.GetBytes(text, bytes);
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(bytes[..written], digest);
            return Convert.ToHexStringLower(digest);
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static string? TryBuild(Sample sample, IReadOnlyDictionary<int, Item> items, ViewSpec view, PromptOptions options,
        StringBuilder text, out PromptRecord? prompt)
    {
        prompt = null;
        if (options.MaxItems < 1) return $"prompt option max_items must be >= 1 (got {options.MaxItems})";
        if (sample.Prefix.IsDefaultOrEmpty) return $"sample {sample.Id}: no clicks to build a prompt from";

        var shown = Cut(sample.Prefix, options.MaxItems);
        text.Clear();
        text.Append(options.Template.Header).Append('\n');
        Span<char> number = stackalloc char[11];
        for (var i = 0; i < shown.Length; i++)
        {
            if (!items.TryGetValue(shown[i], out var item))
                return $"sample {sample.Id}: item {shown[i]} has no entry in the item catalogue";
            (i + 1).TryFormat(number, out var indexLength, provider: CultureInfo.InvariantCulture);
            var index = number[..indexLength].ToString();
            Fill(text, options.Template.ItemLine, ("{index}", index), ("{title}", OneLine(item.Title)),
                ("{id}", item.Id.ToString(CultureInfo.InvariantCulture)));
            text.Append('\n');
        }
        Fill(text, options.Template.Question, ("{qualifier}", Qualifier(view)));
        var s = text.ToString();
        prompt = new PromptRecord(sample.Id, view.Name, shown, s, Hash(s));
        return null;
    }

    private static string Qualifier(ViewSpec view) => view.Qualifier.Length == 0 ? "" : " " + view.Qualifier;

    private static string Fill(string template, params ReadOnlySpan<(string Key, string Value)> slots)
    {
        var sb = new StringBuilder(template.Length + 64);
        Fill(sb, template, slots);
        return sb.ToString();
    }

    // One left-to-right pass, so a title that happens to contain "{id}" is not itself rewritten.
    private static void Fill(StringBuilder sb, string template, params ReadOnlySpan<(string Key, string Value)> slots)
    {
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                sb.Append(template, i, template.Length - i);
                return;
            }
            sb.Append(template, i, open - i);
            i = open;
            var matched = false;
            foreach (var (key, value) in slots)
                if (string.CompareOrdinal(template, i, key, 0, key.Length) == 0)
                {
                    sb.Append(value);
                    i += key.Length;
                    matched = true;
                    break;
                }
            if (!matched) sb.Append(template[i++]);
        }
    }

    // A title with a line break would break the numbered list; other characters are kept as the paper does.
    private static string OneLine(string title) =>
        title.AsSpan().IndexOfAny('\r', '\n') < 0 ? title : title.Replace("\r\n", " ").Replace('\r', ' ').Replace('\n', ' ');
}

using System.Collections.Immutable;
using System.Text.RegularExpressions;
using LanguageExt;
using LanguageExt.Common;

namespace Llm4Sbr.Core.Prompts;

/// <summary>How the offline engine answers for a view: <see cref="Pick"/> applied to the last
/// <see cref="Window"/> items of the (cut) session, or to all of them when <see cref="Window"/> is 0.</summary>
public sealed record OfflineRule(OfflinePick Pick, int Window = 0)
{
    /// <summary>Medoid over the whole (cut) session: the long-term default.</summary>
    public static readonly OfflineRule Medoid = new(OfflinePick.Medoid);
    /// <summary>The most recent item: the short-term default.</summary>
    public static readonly OfflineRule Last = new(OfflinePick.Last);

    /// <summary>Configuration spelling: <c>medoid</c>, <c>medoid:3</c> (last 3 items), <c>last</c>.</summary>
    public override string ToString() => Pick switch
    {
        OfflinePick.Last => "last",
        _ => Window == 0 ? "medoid" : $"medoid:{Window}",
    };

    public const string ValidSpellings = "medoid, medoid:<n> (medoid of the last n items, n >= 1), last";

    public static Fin<OfflineRule> Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "last") return Last;
        if (t == "medoid") return Medoid;
        if (t.StartsWith("medoid:", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan("medoid:".Length), out var n) && n >= 1)
            return new OfflineRule(OfflinePick.Medoid, n);
        return Error.New($"offline rule '{text}' is not valid; valid: {ValidSpellings}");
    }
}

public enum OfflinePick
{
    /// <summary>The item whose title embedding has the highest mean cosine to the other items' (ties: most recent).</summary>
    Medoid,
    /// <summary>The last clicked item.</summary>
    Last,
}

/// <summary>A prompt view: pure configuration. <see cref="Qualifier"/> is spliced into the question
/// ("... interested in in the long-term."); empty means no qualifier. <see cref="Offline"/> says what
/// the offline engine answers for this view.</summary>
public sealed record ViewSpec(string Name, string Qualifier, OfflineRule Offline)
{
    public ViewSpec(string name, string qualifier) : this(name, qualifier, OfflineRule.Medoid) { }
}

/// <summary>The views that ship, and validation of configured ones.</summary>
public static class Views
{
    /// <summary>Long-term interest; offline: medoid of the whole (cut) session.</summary>
    public static readonly ViewSpec Long = new("long", "in the long-term", OfflineRule.Medoid);
    /// <summary>Short-term interest; offline: the last item.</summary>
    public static readonly ViewSpec Short = new("short", "in the short-term", OfflineRule.Last);
    /// <summary>No qualifier; offline: medoid of the last 3 items (between the two other views).</summary>
    public static readonly ViewSpec Normal = new("normal", "", new OfflineRule(OfflinePick.Medoid, 3));

    public static readonly ImmutableArray<ViewSpec> Builtin = [Long, Short, Normal];

    /// <summary>The views a pipeline uses when it lists none (the paper's two views).</summary>
    public static readonly ImmutableArray<ViewSpec> Default = [Long, Short];

    private static readonly Regex ValidName = new("^[a-z0-9][a-z0-9_-]*$", RegexOptions.CultureInvariant);

    /// <summary>A shipped view by name; the error lists the shipped names.</summary>
    public static Fin<ViewSpec> FindBuiltin(string name) =>
        Builtin.FirstOrDefault(v => v.Name == name) is { } v
            ? v
            : Error.New($"view '{name}' is not a built-in view; built-in views: {string.Join(", ", Builtin.Select(b => b.Name))} (a new view needs a name and a qualifier)");

    /// <summary>Checks names (lower-case letters, digits, '-', '_'), uniqueness and non-emptiness.</summary>
    public static Fin<ImmutableArray<ViewSpec>> Validate(IEnumerable<ViewSpec> views)
    {
        var list = views.ToImmutableArray();
        if (list.IsEmpty) return Error.New("no views configured; built-in views: long, short, normal");
        foreach (var v in list)
        {
            if (!ValidName.IsMatch(v.Name))
                return Error.New($"view name '{v.Name}' is not valid: use lower-case letters, digits, '-' or '_'");
            if (v.Qualifier.Contains('\n') || v.Qualifier.Contains('\r'))
                return Error.New($"view '{v.Name}': the qualifier must be one line");
            if (v.Offline.Window < 0)
                return Error.New($"view '{v.Name}': offline window must be >= 0");
        }
        var duplicate = list.GroupBy(v => v.Name).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? list : Error.New($"view '{duplicate.Key}' is configured twice");
    }
}

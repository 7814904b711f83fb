using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Prompts;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Pipelines;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Intent.Prompts;

/// <summary>Configuration of <c>prompts</c> (all of it is in the memo key): the views, in order, each
/// with its qualifier and offline rule; the session cut; the template.</summary>
public sealed record PromptsConfig(ImmutableArray<ViewSpec> Views, int MaxItems, PromptTemplate Template)
{
    public PromptOptions Options => new(MaxItems, Template);
}

/// <summary>The <c>prompts</c> section.
/// <code>
/// prompts:
///   views: [long, short]           # in this order; default [long, short] (the paper's two views)
///   view_definitions:              # more views: a name and a qualifier, no code
///     trend: in what is popular now                         # short form: the qualifier (offline: medoid)
///     recent: {qualifier: in the last few clicks, offline: "medoid:3"}   # offline: medoid | medoid:N | last
///   max_items: 20                  # sessions are cut to their last N clicks (default 20)
///   template:                      # optional; default the paper's
///     header: "The order in which users click on items is as follows:"
///     item_line: "{index}. {title}_{id}"
///     question: "Please guess an item that the user is interested in{qualifier}. (Only output the item name without any explanation.)"
/// </code>
/// Built-in views: <c>long</c> ("in the long-term", offline: medoid of the session), <c>short</c>
/// ("in the short-term", offline: the last click), <c>normal</c> (no qualifier, offline: medoid of the
/// last 3 clicks). A definition may not reuse a built-in name.</summary>
public static class PromptsSection
{
    public const string Name = "prompts";

    /// <param name="required">Views the listed models read (e.g. <c>normal</c> for
    /// <c>llm4sbr-srgnn-normal</c>): appended, after the listed ones, when the section does not list them.</param>
    public static Validation<Error, PromptsConfig> Read(ConfigSection section, IEnumerable<string>? required = null) =>
        section.Read(r => new TopLevel(
            Names: r.StringList("views", [.. Views.Default.Select(v => v.Name)]),
            Definitions: r.Section("view_definitions"),
            MaxItems: r.Int("max_items", PromptOptions.DefaultMaxItems, min: 1, max: 1000),
            Template: r.Section("template"),
            ViewsAt: r.Location("views")))
        .Bind(read => Resolve(read, [.. required ?? []]));

    /// <summary>The section's own keys, read; the views and the template are checked from them.</summary>
    sealed record TopLevel(ImmutableArray<string> Names, ConfigSection Definitions, int MaxItems, ConfigSection Template, EngineErrors.ConfigLocation ViewsAt);

    static Validation<Error, PromptsConfig> Resolve(TopLevel read, ImmutableArray<string> required)
    {
        var errors = new List<Error>();
        var defined = Definitions(read.Definitions, errors);
        var template = Template(read.Template, errors);
        var available = Views.Builtin.Concat(defined).ToList();
        var availableText = $"available views: {string.Join(", ", available.Select(v => v.Name))}";
        var views = ImmutableArray.CreateBuilder<ViewSpec>();
        foreach (var name in read.Names.Concat(required.Where(v => !read.Names.Contains(v)).Distinct()))
        {
            var view = available.FirstOrDefault(v => v.Name == name);
            if (view is null)
                errors.Add(EngineErrors.InvalidValue(read.ViewsAt,
                    $"view '{name}' is not defined; {availableText} (a new view is a name and a qualifier under {Name}.view_definitions)"));
            else if (views.Contains(view))
                errors.Add(EngineErrors.InvalidValue(read.ViewsAt, $"view '{name}' is listed twice"));
            else
                views.Add(view);
        }
        if (read.Names.IsEmpty) errors.Add(EngineErrors.InvalidValue(read.ViewsAt, $"no views listed; {availableText}"));
        return errors.Count > 0
            ? Fail<Error, PromptsConfig>(errors.ToSeq())
            : Success<Error, PromptsConfig>(new PromptsConfig(views.ToImmutable(), read.MaxItems, template));
    }

    static ImmutableArray<ViewSpec> Definitions(ConfigSection section, List<Error> errors)
    {
        if (!section.IsPresent) return [];
        if (section.Node is not ConfigMap map)
        {
            errors.Add(EngineErrors.WrongType(section.Location, section.Node!.Describe(), "a mapping of view names to qualifiers"));
            return [];
        }
        var views = ImmutableArray.CreateBuilder<ViewSpec>();
        foreach (var entry in map.Entries)
        {
            var at = new EngineErrors.ConfigLocation(section.File, $"{section.Path}.{entry.Key}", entry.Line);
            if (Views.Builtin.Any(b => b.Name == entry.Key))
            {
                errors.Add(EngineErrors.InvalidValue(at,
                    $"'{entry.Key}' is a built-in view ({string.Join(", ", Views.Builtin.Select(b => b.Name))}); give the new view another name"));
                continue;
            }
            var view = entry.Value switch
            {
                ConfigScalar { IsNull: false } s => FinSucc(new ViewSpec(entry.Key, s.Value, OfflineRule.Medoid)),
                ConfigMap => new ConfigSection(section.File, at.KeyPath, entry.Value, entry.Line).Read(v => (
                        Qualifier: v.RequiredString("qualifier", "the words spliced into the question, e.g. 'in the long-term'"),
                        Offline: v.String("offline", OfflineRule.Medoid.ToString()),
                        OfflineAt: v.Location("offline")))
                    .Match(
                        Succ: d => OfflineRule.Parse(d.Offline).Match(
                            Succ: rule => FinSucc(new ViewSpec(entry.Key, d.Qualifier, rule)),
                            Fail: e => FinFail<ViewSpec>(EngineErrors.InvalidValue(d.OfflineAt, e.Message))),
                        Fail: (Seq<Error> e) => FinFail<ViewSpec>(e.Count == 1 ? e.Head : Error.Many(e))),
                _ => FinFail<ViewSpec>(EngineErrors.WrongType(at, entry.Value.Describe(), "a qualifier, or a mapping with qualifier and offline")),
            };
            view.Match(
                Succ: v => Views.Validate([v]).Match(
                    Succ: _ => views.Add(v),
                    Fail: e => errors.Add(EngineErrors.InvalidValue(at, e.Message))),
                Fail: errors.Add);
        }
        return views.ToImmutable();
    }

    static PromptTemplate Template(ConfigSection section, List<Error> errors)
    {
        var paper = PromptTemplate.Paper;
        return section.Read(t => (
                Template: new PromptTemplate(
                    t.String("header", paper.Header),
                    t.String("item_line", paper.ItemLine),
                    t.String("question", paper.Question)),
                QuestionAt: t.Location("question"),
                ItemLineAt: t.Location("item_line")))
            .Match(
                Succ: read =>
                {
                    if (!read.Template.Question.Contains("{qualifier}", StringComparison.Ordinal))
                        errors.Add(EngineErrors.InvalidValue(read.QuestionAt, "must contain {qualifier}, or every view would ask the same question"));
                    if (!read.Template.ItemLine.Contains("{title}", StringComparison.Ordinal))
                        errors.Add(EngineErrors.InvalidValue(read.ItemLineAt, "must contain {title}"));
                    return read.Template;
                },
                Fail: e =>
                {
                    errors.AddRange(e);
                    return paper;
                });
    }
}

using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Training.Models;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Experiments;

/// <summary>Reads experiment plan files (YAML). Two steps: <see cref="Parse"/> checks the file's shape
/// (known keys, types, metric and figure names; errors name the file, key and line) and
/// <see cref="Resolve"/> checks the model names against a registry and expands <c>all-backbones</c>.
/// <see cref="Read"/> does both against the product's registry.
/// <code>
/// name: table4                    # default: the file's name
/// title: "Table 4: ablation"      # the report's heading (default: the name)
/// description: ...                # optional, shown under the heading
/// models: [llm-infer, srgnn, llm4sbr-srgnn-noau, llm4sbr-srgnn]   # or all-backbones, all-baselines
/// labels: {llm-infer: w/o SBR}    # optional display names (default: the paper's spelling)
/// metrics: [p@20, mrr@20]         # report columns: p|mrr|ndcg @ 5|10|20 (default p@20, mrr@20, ndcg@20)
/// figure:
///   kind: bars-by-metric          # bars-by-metric | bars-by-backbone | lines (lines needs a sweep)
///   metrics: [p@20, mrr@20]       # default: the plan's metrics
/// set: {training.epochs: 30}      # pipeline keys every cell sets (as --set)
/// sweep: {key: localize.k, values: [0, 1, 3, 5], label: "k"}   # optional: one pipeline variant per value
/// paper: table4                   # optional: the paper's figures to show beside ours (paper-figures.csv)
/// seeds: 1                        # default seed count (--seeds overrides)
/// </code></summary>
public static class PlanFile
{
    public const string AllBackbones = "all-backbones";
    public const string AllBaselines = "all-baselines";
    public const string Folder = "experiments";

    public static readonly ImmutableArray<MetricRef> DefaultMetrics = [new("p", 20), new("mrr", 20), new("ndcg", 20)];

    static readonly ConfigChoices<FigureKind> FigureKinds = new(
        ("bars-by-metric", FigureKind.BarsByMetric), ("bars-by-backbone", FigureKind.BarsByBackbone), ("lines", FigureKind.Lines));

    /// <summary>A plan as written: model entries with where they are, not yet checked against a registry.</summary>
    public sealed record Draft(ExperimentPlan Plan, ImmutableArray<(string Name, EngineErrors.ConfigLocation At)> ModelEntries);

    /// <summary>The plan in <paramref name="text"/>, checked against the product's models.</summary>
    public static Validation<Error, ExperimentPlan> Read(string text, string displayFile) =>
        Parse(text, displayFile).Bind(d => Resolve(d, ModelCatalog.Names, BackboneRegistry.Names, Baselines.BaselineRegistry.Names));

    public static Validation<Error, Draft> Parse(string text, string displayFile) =>
        YamlConfig.Parse(text, displayFile).Match(
            Succ: root =>
            {
                var nested = new List<Error>(); // errors of the nested sections (figure, sweep), located already
                var read = new ConfigSection(displayFile, "", root).Read(r => ReadDraft(r, displayFile, nested));
                return nested.Count == 0 ? read : Fail<Error, Draft>(read.Match(_ => nested.ToSeq(), e => e + nested.ToSeq()));
            },
            Fail: e => Fail<Error, Draft>(e));

    /// <summary>Checks every model entry against <paramref name="models"/> (unknown names are errors
    /// naming the file, entry and line, and the valid names) and expands the group entries.</summary>
    public static Validation<Error, ExperimentPlan> Resolve(Draft draft, IReadOnlyList<string> models, IReadOnlyList<string> backbones, IReadOnlyList<string> baselines)
    {
        var errors = new List<Error>();
        var expanded = new List<string>();
        void Add(string model, EngineErrors.ConfigLocation at)
        {
            if (expanded.Contains(model)) errors.Add(EngineErrors.InvalidValue(at, $"model '{model}' is listed twice"));
            else expanded.Add(model);
        }
        foreach (var (name, at) in draft.ModelEntries)
        {
            if (name == AllBackbones)
                foreach (var b in backbones) { Add(b, at); Add(ModelRegistry.Llm4SbrPrefix + b, at); }
            else if (name == AllBaselines)
                foreach (var b in baselines) Add(b, at);
            else if (models.FirstOrDefault(m => string.Equals(m, name, StringComparison.OrdinalIgnoreCase)) is { } canonical)
                Add(canonical, at);
            else
                errors.Add(EngineErrors.NotOneOf(at, name, [AllBackbones, AllBaselines, .. models]));
        }
        foreach (var label in draft.Plan.Labels.Keys.Where(l => !expanded.Contains(l)))
            errors.Add(EngineErrors.InvalidValue(new(draft.Plan.File, $"labels.{label}", null), $"labels a model the plan does not list; it lists {string.Join(", ", expanded)}"));
        if (draft.Plan.Figure.Kind == FigureKind.BarsByBackbone && !expanded.Any(m => ModelCatalog.BackboneOf(m) is not null))
            errors.Add(EngineErrors.InvalidValue(new(draft.Plan.File, "figure.kind", null), "bars-by-backbone needs at least one llm4sbr-X model beside its backbone X"));
        return errors.Count > 0
            ? Fail<Error, ExperimentPlan>(errors.ToSeq())
            : Success<Error, ExperimentPlan>(draft.Plan with { Models = [.. expanded] });
    }

    static Draft ReadDraft(SectionReader r, string file, List<Error> nested)
    {
        var name = r.OptionalString("name") ?? Path.GetFileNameWithoutExtension(file);
        var title = r.OptionalString("title") ?? name;
        var description = r.OptionalString("description");
        var models = ModelEntries(r, file);
        var labels = ScalarMap(r.Section("labels"));
        var metrics = Metrics(r, "metrics", DefaultMetrics);
        var figure = r.Section("figure").Read(f => new FigureSpec(
            f.Choice("kind", FigureKinds, FigureKind.BarsByMetric), Metrics(f, "metrics", metrics))).Match(x => x, e => { nested.AddRange(e); return new FigureSpec(FigureKind.BarsByMetric, metrics); });
        var set = ScalarMap(r.Section("set"));
        Sweep? sweep = null;
        if (r.Has("sweep"))
            sweep = r.Section("sweep").Read(s => new Sweep(s.RequiredString("key", "a pipeline key path, e.g. localize.k"),
                s.StringList("values", []), s.OptionalString("label") ?? s.OptionalString("key") ?? ""))
                .MatchUnsafe(x => (Sweep?)x, e => { nested.AddRange(e); return null; });
        if (sweep is { Values.IsEmpty: true }) r.Fail("sweep", "lists no values; e.g. values: [0, 1, 3, 5]");
        if (figure.Kind == FigureKind.Lines && sweep is null && r.Has("figure")) r.Fail("figure", "kind lines needs a sweep (its values are the x axis)");
        var paper = r.OptionalString("paper");
        var seeds = r.Int("seeds", 1, min: 1, max: 100);
        var plan = new ExperimentPlan(name, title, description, [.. models.Select(m => m.Name)],
            labels.ToImmutableSortedDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            [.. set], sweep, metrics, figure, paper, seeds, file);
        return new Draft(plan, models);

        IReadOnlyList<KeyValuePair<string, string>> ScalarMap(ConfigSection section)
        {
            var values = new List<KeyValuePair<string, string>>();
            if (!section.IsPresent) return values;
            if (section.Node is not ConfigMap map)
            {
                r.Fail(section.Path, $"is {section.Node!.Describe()}, expected a mapping, e.g. {{localize.k: 3}}");
                return values;
            }
            foreach (var entry in map.Entries)
            {
                var text = FlowYaml(entry.Value);
                if (text is null) r.Fail(section.Path, $"'{entry.Key}' (line {entry.Line}) holds {entry.Value.Describe()}; expected a value or a list of values");
                else values.Add(KeyValuePair.Create(entry.Key, text));
            }
            return values;
        }
    }

    static ImmutableArray<(string Name, EngineErrors.ConfigLocation At)> ModelEntries(SectionReader r, string file)
    {
        var node = r.Section("models");
        switch (node.Node)
        {
            case ConfigList list when list.Items.Length > 0:
                var entries = ImmutableArray.CreateBuilder<(string Name, EngineErrors.ConfigLocation At)>();
                for (var i = 0; i < list.Items.Length; i++)
                {
                    var at = new EngineErrors.ConfigLocation(file, $"models[{i}]", list.Items[i].Line);
                    if (list.Items[i] is ConfigScalar { IsNull: false } s) entries.Add((s.Value.Trim(), at));
                    else r.Fail("models", $"entry {i} (line {list.Items[i].Line}) is {list.Items[i].Describe()}, not a model name");
                }
                return entries.ToImmutable();
            case null:
            case ConfigScalar { IsNull: true }:
                r.Fail("models", "is missing; list the models to compare, e.g. models: [srgnn, llm4sbr-srgnn] or [all-backbones]");
                return [];
            default:
                r.Fail("models", $"is {node.Node.Describe()}, expected a non-empty list of model names");
                return [];
        }
    }

    static ImmutableArray<MetricRef> Metrics(SectionReader r, string key, ImmutableArray<MetricRef> fallback)
    {
        var names = r.StringList(key, []);
        if (names.IsEmpty) return fallback;
        var metrics = ImmutableArray.CreateBuilder<MetricRef>();
        foreach (var name in names)
        {
            if (MetricRef.Parse(name) is { } metric) metrics.Add(metric);
            else r.Fail(key, $"'{name}' is not one of {string.Join(", ", MetricRef.All.Select(m => m.Key))}");
        }
        return metrics.Count == 0 ? fallback : metrics.ToImmutable();
    }

    /// <summary>A value as flow YAML, the text a <c>--set key=VALUE</c> would give; null for a mapping.</summary>
    static string? FlowYaml(ConfigNode node) => node switch
    {
        ConfigScalar { Quoted: true } s => "'" + s.Value.Replace("'", "''") + "'",
        ConfigScalar s => s.Value,
        ConfigList l when l.Items.All(i => i is ConfigScalar) => "[" + string.Join(", ", l.Items.Select(FlowYaml)) + "]",
        _ => null,
    };

    /// <summary>The plan file for <paramref name="plan"/>: an existing path (relative to
    /// <paramref name="workingDirectory"/>), else <c>pipelines/experiments/NAME.yaml</c> (or <c>.yml</c>)
    /// under the first of <paramref name="roots"/> that has it (see <see cref="SearchRoots"/>); the error
    /// lists the built-in plans.</summary>
    public static Fin<string> Locate(string plan, string workingDirectory, IReadOnlyList<string> roots)
    {
        var direct = Path.GetFullPath(Path.Combine(workingDirectory, plan));
        if (File.Exists(direct)) return FinSucc(direct);
        foreach (var extension in new[] { ".yaml", ".yml" })
            if (FindBuiltIn(roots, plan + extension) is { } found) return FinSucc(found);
        var folders = roots.Select(BuiltInFolder).Where(Directory.Exists).ToList();
        var available = folders.SelectMany(f => Directory.EnumerateFiles(f, "*.y*ml")).Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Distinct().Order(StringComparer.Ordinal).ToList();
        return FinFail<string>(Error.New(EngineErrors.PipelineNotFoundCode,
            $"--plan: no plan file '{plan}' (looked for it as a path and in pipelines/{Folder}/ of {string.Join(", ", roots.Take(3))}...); "
            + $"built-in plans: {(available.Count == 0 ? "(none found)" : string.Join(", ", available))}"));
    }

    /// <summary>Where built-in plans (and <c>paper-figures.csv</c>) are looked for: the pipeline's
    /// repository root, then the working directory and its parents, then the application's folder and
    /// its parents (as pipelines are found).</summary>
    public static ImmutableArray<string> SearchRoots(string repoRoot, string workingDirectory, string? applicationDirectory) =>
        [.. new[] { Path.GetFullPath(repoRoot) }.Concat(PipelineLocator.SearchRoots(workingDirectory, applicationDirectory)).Distinct()];

    /// <summary>The first <c>pipelines/experiments/FILE</c> under <paramref name="roots"/>, or null.</summary>
    public static string? FindBuiltIn(IReadOnlyList<string> roots, string file) =>
        roots.Select(r => Path.Combine(BuiltInFolder(r), file)).FirstOrDefault(File.Exists);

    public static string BuiltInFolder(string repoRoot) => Path.Combine(repoRoot, "pipelines", Folder);
}

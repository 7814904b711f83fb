using Llm4Sbr.Tests.Shared;
using Llm4Sbr.Stages.Experiments;
using Llm4Sbr.Stages.Tests.Modeling.Support;
using Llm4Sbr.Training.Models;

namespace Llm4Sbr.Stages.Tests.Experiments;

public sealed class PlanFileTests
{
    static string BuiltIn(string name) => File.ReadAllText(Path.Combine(PlanFile.BuiltInFolder(RepositoryRoot.Path), name + ".yaml"));

    static string Errors(string yaml) =>
        PlanFile.Read(yaml, "plans/p.yaml").Match(_ => "", e => string.Join("\n", e.Select(x => x.Message)));

    [Fact]
    public void An_unknown_key_is_an_error_naming_the_file_the_key_its_line_and_the_valid_keys()
    {
        var errors = Errors("models: [srgnn]\nmetrix: [p@20]\n");
        Assert.Contains("plans/p.yaml", errors);
        Assert.Contains("metrix", errors);
        Assert.Contains("line 2", errors);
        Assert.Contains("metrics", errors); // among the valid keys
    }

    [Fact]
    public void An_unknown_model_is_an_error_naming_it_the_file_the_entry_its_line_and_the_valid_models()
    {
        var errors = Errors("name: x\nmodels:\n  - srgnn\n  - sr-gnnn\n");
        Assert.Contains("plans/p.yaml: models[1]", errors);
        Assert.Contains("'sr-gnnn'", errors);
        Assert.Contains("line 4", errors);
        Assert.Contains("llm4sbr-srgnn", errors);
        Assert.Contains(PlanFile.AllBackbones, errors);
    }

    [Fact]
    public void Syntax_errors_name_the_file_and_the_line_when_the_yaml_parser_gives_one()
    {
        var twice = Errors("models: [srgnn]\nmodels: [pop]\n");
        Assert.Contains("plans/p.yaml: not valid YAML: key 'models' appears twice (line 2)", twice);
        // YamlDotNet reports an unterminated flow list without a position (and not as a YamlException): its tokens give it.
        var unterminated = Errors("models: [srgnn\nmetrics: [p@20]\n");
        Assert.Contains("plans/p.yaml: not valid YAML: this [list is never closed (line 1)", unterminated);
    }

    [Fact]
    public void Bad_metrics_figure_kinds_and_a_line_figure_without_a_sweep_are_errors()
    {
        Assert.Contains("'p@7' is not one of", Errors("models: [srgnn]\nmetrics: [p@7]\n"));
        Assert.Contains("plans/p.yaml: figure.kind: 'pie' is not one of bars-by-metric, bars-by-backbone, lines (line 2)", Errors("models: [srgnn]\nfigure: {kind: pie}\n"));
        Assert.Contains("plans/p.yaml: sweep.key:", Errors("models: [srgnn]\nsweep: {values: [1]}\n"));
        Assert.Contains("needs a sweep", Errors("models: [srgnn]\nfigure: {kind: lines}\n"));
        Assert.Contains("lists no values", Errors("models: [srgnn]\nsweep: {key: localize.k, values: []}\n"));
        Assert.Contains("labels a model the plan does not list", Errors("models: [srgnn]\nlabels: {pop: POP}\n"));
        Assert.Contains("listed twice", Errors("models: [srgnn, all-backbones]\n"));
    }

    [Fact]
    public void All_backbones_expands_to_every_registered_backbone_beside_its_llm4sbr_variant()
    {
        var plan = PlanFile.Read("models: [pop, all-backbones]\n", "p.yaml").Match(p => p, e => throw new InvalidOperationException(e.Head.Message));
        Assert.Equal(["pop", .. BackboneRegistry.Names.SelectMany(b => new[] { b, "llm4sbr-" + b })], plan.Models.ToArray());
    }

    [Fact]
    public void Every_built_in_plan_loads_against_the_registry()
    {
        foreach (var name in new[] { "table3", "table4", "views", "k", "llm-baselines" })
            PlanFile.Read(BuiltIn(name), name + ".yaml").Match(_ => { }, e => Assert.Fail($"{name}: {e.Head.Message}"));

        var table4 = PlanFile.Read(BuiltIn("table4"), "table4.yaml").Match(p => p, _ => null!);
        Assert.Equal(["llm-infer", "srgnn", "llm4sbr-srgnn-noau", "llm4sbr-srgnn"], table4.Models.ToArray());
        Assert.Equal(9, table4.Metrics.Length);
        Assert.Equal("w/o AU", table4.LabelOf("llm4sbr-srgnn-noau"));
        Assert.Equal(FigureKind.BarsByMetric, table4.Figure.Kind);

        var k = PlanFile.Read(BuiltIn("k"), "k.yaml").Match(p => p, _ => null!);
        Assert.Equal("localize.k", k.Sweep!.Key);
        Assert.Equal(["0", "1", "3", "5"], k.Sweep.Values.ToArray());
        Assert.Equal(FigureKind.Lines, k.Figure.Kind);

        var views = PlanFile.Read(BuiltIn("views"), "views.yaml").Match(p => p, _ => null!);
        Assert.Equal(["llm4sbr-srgnn", "llm4sbr-srgnn-nolong", "llm4sbr-srgnn-noshort", "llm4sbr-srgnn-normal"], views.Models.ToArray());
    }

    [Fact]
    public void The_built_in_llm_baselines_plan_names_the_figure_5_models()
    {
        var plan = PlanFile.Read(BuiltIn("llm-baselines"), "llm-baselines.yaml").Match(p => p, e => throw new InvalidOperationException(e.Head.Message));
        Assert.Equal(["srgnn", "llm-infer", "llmseqsim", "llm2srgnn", "llm4sbr-srgnn"], plan.Models.ToArray());
        Assert.Equal("LLMSeqSim", plan.LabelOf("llmseqsim"));
    }

    [Fact]
    public void Set_values_become_override_text_and_locate_finds_built_in_plans_by_name()
    {
        var plan = PlanFile.Read("models: [srgnn]\nset:\n  training.epochs: 2\n  llm.endpoints: [http://a, http://b]\n  llm.model: 'q:7b'\n", "p.yaml")
            .Match(p => p, e => throw new InvalidOperationException(e.Head.Message));
        Assert.Equal([KeyValuePair.Create("training.epochs", "2"), KeyValuePair.Create("llm.endpoints", "[http://a, http://b]"), KeyValuePair.Create("llm.model", "'q:7b'")], plan.Set.ToArray());

        // A pipeline outside the repository still finds the built-in plans from the working directory.
        var roots = PlanFile.SearchRoots(Path.GetTempPath(), Path.Combine(RepositoryRoot.Path, "src"), null);
        Assert.Equal(Path.Combine(RepositoryRoot.Path, "pipelines", "experiments", "table4.yaml"), PlanFile.Locate("table4", Path.GetTempPath(), roots).Match(p => p, e => e.Message));
        var missing = PlanFile.Locate("no-such-plan", Path.GetTempPath(), roots).Match(_ => "", e => e.Message);
        Assert.Contains("table3", missing);
        Assert.Contains("llm-baselines", missing);
    }
}

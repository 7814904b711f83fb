using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Tests.Support;

namespace Llm4Sbr.Engine.Tests;

/// <summary>How the engine reads a pipeline file and checks its graph, over the small test stages
/// (the data stages' own sections are tested in Llm4Sbr.Stages.Tests).</summary>
public sealed class PipelineFileTests : IDisposable
{
    readonly Workspace _ws = new();
    public void Dispose() => _ws.Dispose();

    Validation<Error, PipelineDefinition> Parse(string yaml) =>
        PipelineLoader.Parse(yaml, PipelineSource.ForFile(Path.Combine(_ws.Root, "pipelines", "x.yaml")), TestStages.Catalog(_ws.Log));

    string[] Errors(string yaml) => Parse(yaml).Match(_ => [], e => e.Select(x => x.Message).ToArray());

    [Theory]
    [InlineData("dataset: {format: generic\n", "not valid YAML")]
    // YamlDotNet throws InvalidOperationException, without a position, for these: the tokens name the bracket.
    [InlineData("models: [srgnn\nsplit: {train_fraction: 0.5}\n", "not valid YAML: this [list is never closed (line 1)")]
    [InlineData("name: a\nsplit: {train_fraction: 0.5\nmodels: [srgnn]\nx: 1\n", "not valid YAML: this {mapping is never closed (line 2)")]
    [InlineData("split: {train_fraction: 0.5}\nsplit: {train_fraction: 0.6}\n", "key 'split' appears twice (line 2)")]
    [InlineData("- a\n- b\n", "the document must be a mapping of sections")]
    [InlineData("name: a\n---\nname: b\n", "several YAML documents")]
    public void Malformed_files_are_errors_naming_the_file(string yaml, string expected)
    {
        var errors = Errors(yaml);
        Assert.Single(errors);
        Assert.StartsWith("pipelines/x.yaml: ", errors[0]);
        Assert.Contains(expected, errors[0]);
        Assert.Equal(EngineErrors.PipelineSyntaxCode, Parse(yaml).Match(_ => 0, e => e.Head.Code));
    }

    [Fact]
    public void The_catalogue_rejects_two_modules_claiming_a_section()
    {
        var clash = new TestStages.Module("other", ["scale"], (_, _) => throw new InvalidOperationException());
        var e = Assert.Throws<ArgumentException>(() => TestStages.Catalog(_ws.Log).With(clash));
        Assert.Equal("section 'scale' is claimed by scale and other", e.Message);
    }

    [Fact]
    public async Task The_graph_rejects_an_input_that_is_not_a_stage()
    {
        var orphan = new TestStages.Module("orphan", ["orphan"], (s, _) => s["orphan"].Read(_ => 0)
            .Map(c => (Stages.IStage)Stages.Stage.Pure("orphan", "1", c, new NumbersCodec("orphan", new StageLog()),
                [new Stages.StageInput<Numbers>("nowhere")], (_, _, _) => LanguageExt.Prelude.FinSucc(new Numbers([])))));
        var pipeline = _ws.Load(TestPipelines.Default, TestStages.Catalog(_ws.Log).With(orphan));
        var plan = await Graph.PipelinePlanner.PlanAsync(pipeline, new Graph.PlanOptions(), new Graph.FileFingerprints(), CancellationToken.None);
        Assert.Equal("pipeline 'test': stage 'orphan' reads 'nowhere', which is not a stage of this pipeline (source, scale, total, side, orphan)",
            plan.ErrorOf().Message);
    }

    [Fact]
    public async Task The_graph_rejects_an_input_of_the_wrong_type()
    {
        var wrong = new TestStages.Module("wrong", ["wrong"], (s, _) => s["wrong"].Read(_ => 0)
            .Map(c => (Stages.IStage)Stages.Stage.Pure("wrong", "1", c, new NumbersCodec("wrong", new StageLog()),
                [new Stages.StageInput<LoadedData>("source")], (_, _, _) => LanguageExt.Prelude.FinSucc(new Numbers([])))));
        var pipeline = _ws.Load(TestPipelines.Default, TestStages.Catalog(_ws.Log).With(wrong));
        var plan = await Graph.PipelinePlanner.PlanAsync(pipeline, new Graph.PlanOptions(), new Graph.FileFingerprints(), CancellationToken.None);
        Assert.Equal("pipeline 'test': stage 'wrong' reads 'source' as LoadedData, but it produces Numbers", plan.ErrorOf().Message);
    }
}

using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Engine.Tests.Support;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Tests;

/// <summary>A stage's kind says whether it is pure; its declared effects never reach its memo key.</summary>
public sealed class StageKindTests
{
    static readonly NumbersCodec Codec = new("side", new StageLog());

    [Fact]
    public void A_pure_stage_declares_no_effects_and_an_effectful_one_keeps_what_it_declared()
    {
        var pure = Stage.Pure("side", "1", new EmptyConfig(), Codec, [], (_, _, _) => FinSucc(new Numbers([])));
        var timed = Stage.Effectful("side", "1", StageEffects.ReadsClock | StageEffects.WritesFiles, new EmptyConfig(), Codec, [],
            (_, _, _) => FinSucc(new Numbers([])));

        Assert.Equal(StageEffects.None, pure.Effects);
        Assert.Equal(StageEffects.ReadsClock | StageEffects.WritesFiles, timed.Effects);
        Assert.Equal(timed.Effects, (timed with { ExternalInputs = [] }).Effects);
    }

    [Fact]
    public void An_effectful_stage_without_effects_is_refused_so_that_pure_stays_the_only_pure_kind()
    {
        var error = Assert.Throws<ArgumentException>(() => Stage.Effectful("side", "1", StageEffects.None, new EmptyConfig(), Codec, [],
            (_, _, _) => FinSucc(new Numbers([]))));
        Assert.Contains("build it with Stage.Pure", error.Message);
        Assert.Throws<ArgumentException>(() => Stage.Async("side", "1", StageEffects.None, new EmptyConfig(), Codec, [],
            (_, _, _) => Task.FromResult(FinSucc(new Numbers([])))));
    }

    [Fact]
    public async Task Declaring_effects_leaves_every_memo_key_as_it_was()
    {
        using var ws = new Workspace();
        var pure = await ws.PlanAsync(TestPipelines.Default);
        var catalog = new StageCatalog(TestStages.Catalog(ws.Log).Modules.Select(m => m.Stage != "side" ? m
            : new TestStages.Module("side", ["side"], (s, context) => m.Build(s, context).Map(stage =>
                (IStage)((StageDefinition<EmptyConfig, Numbers>)stage with { Effects = StageEffects.ReadsClock })))));
        var plan = await PipelinePlanner.PlanAsync(ws.Load(TestPipelines.Default, catalog), new PlanOptions(), new FileFingerprints(), CancellationToken.None);
        var effectful = plan.Match(p => p, e => throw new InvalidOperationException(e.Message));

        Assert.Equal(StageEffects.ReadsClock, effectful["side"].Stage.Effects);
        Assert.All(pure.Stages, s => Assert.Equal(s.Key, effectful[s.Name].Key));
    }
}

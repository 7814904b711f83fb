using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Stages.Intent;
using Llm4Sbr.Stages.Intent.Localize;
using Llm4Sbr.Stages.Modeling.Recommend;
using Llm4Sbr.Stages.Tests.Modeling.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Llm4Sbr.Stages.Tests.Modeling;

/// <summary>One run of the whole product graph on MovieLens small (offline engine) training
/// LLM4SBR(SR-GNN) for one epoch, so that <c>recommend</c> can make a new session's views.</summary>
public sealed class ViewRecommendRun : IAsyncLifetime
{
    public const string Models = """
        models: [llm4sbr-srgnn]
        training:
          epochs: 1
          seeds: [42]
        """;

    public ModelingWorkspace Workspace { get; } = new();
    public IntentServices Services { get; private set; } = null!;
    public ViewEmbeddings Localized { get; private set; } = null!;
    public SampleSet Samples { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Services = IntentServices.Default with { CacheRoot = Path.Combine(Workspace.Root, "cache") };
        var run = await Workspace.RunAsync(Repo.Pipeline("movielens-small", Models), ProductCatalog.Create(intent: Services));
        Localized = (await run.OutputAsync<ViewEmbeddings>(LocalizeStage.Name, default)).Value();
        Samples = (await run.OutputAsync<SampleSet>("samples", default)).Value();
    }

    public Task DisposeAsync()
    {
        Workspace.Dispose();
        return Task.CompletedTask;
    }

    public Engine.Pipelines.PipelineDefinition Pipeline(string extra = "") =>
        ModelingWorkspace.Parse(Repo.Pipeline("movielens-small", Models + extra), ProductCatalog.Create(intent: Services))
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));
}

public sealed class SessionViewsTests(ViewRecommendRun fixture) : IClassFixture<ViewRecommendRun>
{
    string RunFolder => fixture.Workspace.RunDirectory("movielens-small");

    async Task<IReadOnlyList<SessionView>> ViewsOf(IReadOnlyList<int> session, IReadOnlyCollection<string> views)
    {
        var pipeline = fixture.Pipeline();
        var titles = (await RunIntent.ReadTitlesAsync(RunFolder, pipeline, default)).Value();
        var setup = SessionViewSetup.Read(pipeline).Match(s => s, e => throw new InvalidOperationException(e.Head.Message));
        return (await SessionViews.ComputeAsync(session, views, titles, setup, fixture.Services, NullLogger.Instance, default)).Value();
    }

    [Fact]
    public async Task A_new_sessions_views_are_those_the_intent_stages_made_for_the_same_clicks()
    {
        foreach (var sample in fixture.Samples.Test.Take(5))
        {
            var views = await ViewsOf(sample.Prefix, ["long", "short"]);
            var row = fixture.Localized.RowOf(sample.Id).Value();
            foreach (var view in views)
            {
                int index = fixture.Localized.IndexOfView(view.View).Value();
                var expected = fixture.Localized.Embedding(index, row).ToArray();
                Assert.Equal(expected.Length, view.Vector.Length);
                for (int d = 0; d < expected.Length; d++)
                    Assert.True(Math.Abs(expected[d] - view.Vector[d]) < 1e-5, $"sample {sample.Id} view {view.View} dim {d}: {expected[d]} vs {view.Vector[d]}");
                Assert.Equal(fixture.Localized.TopItems(index, row).ToArray(), view.PulledOnto.Select(p => p.ItemId).ToArray());
                Assert.Equal("offline", view.AnswerEngine);
            }
        }
    }

    [Fact]
    public async Task An_llm4sbr_model_recommends_for_a_new_session_with_its_views_and_names_them_when_missing()
    {
        using var recommender = (await Recommender.LoadAsync(RunFolder, "llm4sbr-srgnn")).Value();
        Assert.Equal(["long", "short"], recommender.RequiredViews.ToArray());
        var session = fixture.Samples.Test[3].Prefix;
        var views = await ViewsOf(session, recommender.RequiredViews);

        var top = recommender.Recommend(session, 10, views.ToDictionary(v => v.View, v => v.Vector)).Value();

        Assert.Equal(10, top.Select(r => r.ItemId).Distinct().Count());
        Assert.True(top.Zip(top.Skip(1)).All(p => p.Item1.Score >= p.Item2.Score), "best first");
        Assert.Contains("long, short", recommender.Recommend(session, 10).ErrorMessage());
    }

    [Fact]
    public async Task A_pipeline_whose_intent_settings_differ_from_the_runs_is_refused_by_stage()
    {
        var changed = fixture.Pipeline("\nlocalize:\n  k: 1\n");
        var message = (await RunIntent.ReadTitlesAsync(RunFolder, changed, default)).ErrorMessage();
        Assert.Contains("localize settings", message);
        Assert.Contains("differ from the run's", message);
    }
}

using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Stages.Modeling.Evaluate;
using Llm4Sbr.Stages.Modeling.Recommend;
using Llm4Sbr.Stages.Modeling.Report;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Stages.Tests.Modeling.Support;
using Xunit;

namespace Llm4Sbr.Stages.Tests.Modeling;

/// <summary>LLM4SBR(SR-GNN) and llm-infer on MovieLens small with the test-only view embeddings
/// (<see cref="TestViews"/>), beside SR-GNN, one epoch.</summary>
public sealed class ViewModelRun : IAsyncLifetime
{
    public ModelingWorkspace Workspace { get; } = new();
    public RunResult Run { get; private set; } = null!;
    public TrainedModels Trained { get; private set; } = null!;
    public MetricsTable Metrics { get; private set; } = null!;
    public ReportOutput Report { get; private set; } = null!;
    public SampleSet Samples { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Run = await Workspace.RunAsync(Repo.Pipeline("movielens-small", """
            models: [srgnn, llm4sbr-srgnn, llm-infer]
            model_params:
              llm-infer: {views: [short]}
            training:
              epochs: 1
            """));
        Trained = (await Run.OutputAsync<TrainedModels>(TrainStage.Name, default)).Value();
        Metrics = (await Run.OutputAsync<MetricsTable>(EvaluateStage.Name, default)).Value();
        Report = (await Run.OutputAsync<ReportOutput>(ReportStage.Name, default)).Value();
        Samples = (await Run.OutputAsync<SampleSet>("samples", default)).Value();
    }

    public Task DisposeAsync()
    {
        Workspace.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class ViewModelTests(ViewModelRun fixture) : IClassFixture<ViewModelRun>
{
    [Fact]
    public void Llm4sbr_trains_with_the_views_and_its_alignment_loss()
    {
        Assert.Equal(["long", "short"], fixture.Trained.Facts.Views.ToArray());
        Assert.Equal("offline (test vectors)", fixture.Trained.Facts.ViewsEngine);
        var epoch = fixture.Trained.History.Single(h => h.Model == "llm4sbr-srgnn").Epoch;
        Assert.True(double.IsFinite(epoch.MeanLoss));
        Assert.True(epoch.MeanAuxiliaryLoss != 0, "the alignment and uniformity losses take part");
        Assert.Equal(0, fixture.Trained.History.Single(h => h.Model == "srgnn").Epoch.MeanAuxiliaryLoss);
        Assert.Equal(["srgnn", "llm4sbr-srgnn", "llm-infer"], fixture.Metrics.Models.Select(m => m.Model));
        Assert.All(fixture.Metrics.Models, m => Assert.Equal(fixture.Samples.Test.Length, m.TestSamples));
        Assert.Contains(fixture.Trained.Runs, r => r.Model == "llm-infer" && r.Family == ModelFamily.LlmInfer && r.Checkpoint == "");
    }

    [Fact]
    public void The_report_compares_backbone_and_llm4sbr_and_labels_the_offline_views()
    {
        var markdown = fixture.Report.Markdown;
        Assert.Contains("| SR-GNN |", markdown);
        Assert.Contains("| LLM4SBR(SR-GNN) |", markdown);
        Assert.Contains("| *Improv. over SR-GNN* |", markdown);
        Assert.Contains("| LLM only (w/o SBR) |", markdown);
        Assert.Contains("offline engine", markdown);
        Assert.Contains("no LLM was asked", markdown);
        Assert.False(fixture.Report.UsedLlm);
        var backbone = fixture.Metrics["srgnn"].Mean[20].Precision;
        var enhanced = fixture.Metrics["llm4sbr-srgnn"].Mean[20].Precision;
        var expected = ((enhanced - backbone) / backbone * 100).ToString("+0.00;-0.00;0.00", System.Globalization.CultureInfo.InvariantCulture) + " %";
        Assert.Contains(expected, markdown.Split('\n').Single(l => l.StartsWith("| *Improv.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Recommend_with_views_needs_the_sessions_views_and_llm_infer_is_refused()
    {
        var run = fixture.Workspace.RunDirectory("movielens-small");
        using var recommender = (await Recommender.LoadAsync(run, "llm4sbr-srgnn")).Value();
        var session = fixture.Samples.Test[0].Prefix;
        Assert.Equal(["long", "short"], recommender.RequiredViews.Order());
        var missing = recommender.Recommend(session, 5);
        Assert.Contains("long, short", missing.ErrorMessage());

        var views = new Dictionary<string, float[]>
        {
            ["long"] = TestViews.ItemVector(session[0]),
            ["short"] = TestViews.ItemVector(session[^1]),
        };
        var top = recommender.Recommend(session, 5, views).Value();
        Assert.Equal(5, top.Length);
        Assert.All(top, r => Assert.False(string.IsNullOrEmpty(r.Title)));

        var llmInfer = await Recommender.LoadAsync(run, "llm-infer");
        Assert.Contains("recommend serves trained models and baselines", llmInfer.ErrorMessage());
    }
}

using System.Globalization;
using Llm4Sbr.Core.Answers;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Inference.Llm;
using Llm4Sbr.Stages.Intent;
using Llm4Sbr.Stages.Intent.Infer;
using Llm4Sbr.Stages.Intent.Prompts;
using Llm4Sbr.Stages.Tests.Intent.Support;
using Llm4Sbr.Tests.Fakes;

namespace Llm4Sbr.Stages.Tests.Intent;

/// <summary>The <c>infer</c> stage with engine <c>ollama</c> against an in-process server speaking
/// Ollama's API, on the bundled MovieLens-small pipeline (sharing the collection's caches).</summary>
[Collection(MovieLensIntentCollection.Name)]
public sealed class OllamaInferTests(MovieLensIntentRun run)
{
    static readonly PlanOptions UntilInfer = new(Until: InferStage.Name);

    /// <summary>Like a chat model: the long view gets the first shown item, the short view the last,
    /// decorated (numbering, quotes, the _id suffix); prompts whose first item id is a multiple of 7
    /// get a refusal, which must fall back to the offline answer, flagged.</summary>
    static string Reply(string prompt)
    {
        var shown = Shown(prompt);
        if (shown[0].Id % 7 == 0) return "I'm sorry, I cannot guess that.";
        var (title, id) = prompt.Contains("long-term", StringComparison.Ordinal) ? shown[0] : shown[^1];
        return $"1. \"{title}_{id}\"";
    }

    static (string Title, int Id)[] Shown(string prompt) =>
    [
        .. prompt.Split('\n')[1..^1].Select(line =>
        {
            var body = line[(line.IndexOf(". ", StringComparison.Ordinal) + 2)..];
            var cut = body.LastIndexOf('_');
            return (body[..cut], int.Parse(body[(cut + 1)..], CultureInfo.InvariantCulture));
        }),
    ];

    [Fact]
    public async Task Infer_with_ollama_sends_each_distinct_prompt_once_and_a_rerun_sends_nothing()
    {
        await using var server = await FakeLlmServer.StartAsync(Api.Ollama, r => new FakeReply.Text(Reply(r.Prompt)));
        var overrides = PipelineOverrides.None.Llm("ollama", null, [server.Url]).Set("llm.max_concurrency", "16");

        var first = await run.Workspace.RunAsync(MovieLensIntentRun.Pipeline, overrides, UntilInfer);

        first.Succeeded();
        Assert.Equal(StageStatus.Computed, first[InferStage.Name].Status);
        var prompts = await first.Output<PromptSet>(PromptsStage.Name);
        var distinct = prompts.Prompts.Select(p => p.Text).ToHashSet();
        Assert.Equal(distinct.Count, server.Prompts.Count);
        Assert.Equal(distinct, server.Prompts.ToHashSet());

        var answers = await first.Output<AnswerSet>(InferStage.Name);
        var byKey = prompts.Prompts.ToDictionary(p => (p.SampleId, p.View));
        var titles = run.Loaded.Items.ToDictionary(i => i.Id, i => i.Title);
        Assert.Equal(prompts.Prompts.Length, answers.Answers.Length);
        int refused = 0, exact = 0;
        foreach (var answer in answers.Answers)
        {
            Assert.Equal((LlmSettingsResolver.Ollama, LlmSettingsResolver.DefaultOllamaModel), (answer.Engine, answer.Model));
            var prompt = byKey[(answer.SampleId, answer.View)];
            Assert.Equal(Reply(prompt.Text), answer.Raw); // each reply reached its own sample and view
            var assessed = AnswerCleaner.Assess(answer.Raw);
            Assert.Equal((assessed.Text, assessed.Status), (answer.Cleaned, answer.Status));
            if (assessed.Status == AnswerStatus.Ok)
            {
                Assert.Equal((answer.Cleaned, LlmSettingsResolver.Ollama, false), (answer.Text, answer.TextEngine, answer.FellBackToOffline));
                if (answer.Cleaned == titles[answer.View == "long" ? prompt.ItemIds[0] : prompt.ItemIds[^1]]) exact++;
            }
            else
            {
                // Never silently: the offline answer, flagged, with the reason.
                refused++;
                Assert.Equal((true, OfflineIntentEngine.EngineName), (answer.FellBackToOffline, answer.TextEngine));
                Assert.Equal(titles[answer.OfflineItemId!.Value], answer.Text);
                Assert.NotNull(answer.Issue);
            }
        }
        Assert.Equal(answers.Answers.Count(a => a.Raw.StartsWith("I'm sorry", StringComparison.Ordinal)),
            answers.Answers.Count(a => a.Status == AnswerStatus.Unusable && a.Raw.StartsWith("I'm sorry", StringComparison.Ordinal)));
        Assert.InRange(refused, 1, answers.Answers.Length / 2);
        Assert.True(exact > answers.Answers.Length / 2, $"only {exact} of {answers.Answers.Length} cleaned replies are the expected title");
        Assert.Equal(refused, (int)first[InferStage.Name].Rows["fell_back_to_offline"]);

        var second = await run.Workspace.RunAsync(MovieLensIntentRun.Pipeline, overrides, UntilInfer);
        second.Succeeded();
        Assert.Equal(StageStatus.Cached, second[InferStage.Name].Status);
        Assert.Equal(distinct.Count, server.Prompts.Count);

        // Recomputing the stage finds every reply in the response cache.
        var forced = await run.Workspace.RunAsync(MovieLensIntentRun.Pipeline, overrides, UntilInfer with { Force = [InferStage.Name] });
        forced.Succeeded();
        Assert.Equal(StageStatus.Computed, forced[InferStage.Name].Status);
        Assert.Equal(distinct.Count, server.Prompts.Count);
        Assert.Equal(answers.Answers.ToArray(), (await forced.Output<AnswerSet>(InferStage.Name)).Answers.ToArray());

        // Endpoints are not in the memo key: another server for the same model serves the same answers.
        await using var other = await FakeLlmServer.StartAsync(Api.Ollama, _ => new FakeReply.Text("something else entirely"));
        var moved = await run.Workspace.RunAsync(MovieLensIntentRun.Pipeline, PipelineOverrides.None.Llm("ollama", null, [other.Url]), UntilInfer);
        moved.Succeeded();
        Assert.Equal(StageStatus.Cached, moved[InferStage.Name].Status);
        Assert.Empty(other.Prompts);
    }

    [Fact]
    public async Task An_unreachable_endpoint_fails_infer_with_a_message_naming_it()
    {
        // A port nobody listens on: connection refused, retried, then a clear error.
        var overrides = PipelineOverrides.None.Llm("ollama", "qwen:7b-chat", ["http://127.0.0.1:9"])
            .Set("llm.retries", "0");

        var result = await run.Workspace.RunAsync(MovieLensIntentRun.Pipeline, overrides, UntilInfer);

        Assert.Equal(StageStatus.Failed, result[InferStage.Name].Status);
        Assert.Equal(StageStatus.Cached, result[PromptsStage.Name].Status);
        var message = result.FirstError!.Message;
        Assert.Contains("stage 'infer' failed", message);
        Assert.Contains("127.0.0.1:9", message);
    }
}

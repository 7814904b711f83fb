using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ViewsOrError = LanguageExt.Fin<System.Collections.Immutable.ImmutableArray<Llm4Sbr.Stages.Modeling.Recommend.SessionView>>;
using Llm4Sbr.Stages.Intent;
using Llm4Sbr.Stages.Intent.Titles;
using Llm4Sbr.Stages.Modeling.Recommend;
using Microsoft.Extensions.Logging;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;
using Error = LanguageExt.Common.Error;
using Outcome = LanguageExt.Fin<LanguageExt.Unit>;

namespace Llm4Sbr.Cli.Commands;

/// <summary><c>llm4sbr recommend --run DIR --items 12,7,99 [--k 10] [--model NAME] [--json]</c>:
/// the top-k next items, with titles, for a new session, from a finished run's trained models. For a
/// model that reads views (LLM4SBR), the session's views are made first as the intent stages make
/// them, with the run's pipeline settings (<c>--pipeline</c>, default: the one the run recorded) and
/// caches (<c>--cache</c>); the answers and the items they were pulled onto are shown.</summary>
public static class RecommendCommand
{
    /// <param name="cache">The global <c>--cache</c>: the LLM responses and embeddings the views are made with.</param>
    public static Command Create(CliHost host, Option<bool> verbose, Option<string?> cache)
    {
        var run = new Option<string>("--run") { Description = "A run folder (runs/PIPELINE) or its train/ folder", Required = true };
        var items = new Option<string>("--items") { Description = "The session's item ids, oldest first, comma-separated", Required = true };
        var k = new Option<int>("--k") { Description = "How many items to recommend", DefaultValueFactory = _ => 10 };
        var model = new Option<string?>("--model") { Description = "Which trained model (default: the first the run trained)" };
        var json = new Option<bool>("--json") { Description = "Print the recommendations as JSON" };
        var pipeline = new Option<string?>("--pipeline") { Description = "For models with views: the pipeline whose intent settings make the session's views (default: the run's)" };
        var command = new Command("recommend", "Recommend the next items for a session with a trained run's model") { run, items, k, model, json, pipeline };
        command.SetAction((parse, token) => CliApp.Guard(host, parse.GetValue(verbose), () =>
        {
            var path = Path.GetFullPath(Path.Combine(host.WorkingDirectory, parse.GetValue(run)!));
            var request = new Request(path, parse.GetValue(k), parse.GetValue(json), parse.GetValue(pipeline), parse.GetValue(cache), parse.GetValue(verbose));
            // Every failure here is the user's to fix (an item id, the run folder, a model name): a usage error.
            return ItemIds(parse.GetValue(items)!)
                .BindAsync(ids => ModelNameAsync(path, parse.GetValue(model), token)
                    .BindAsync(name => Recommender.LoadAsync(path, name, ct: token))
                    .BindAsync(async loaded =>
                    {
                        using var recommender = loaded;
                        return await RecommendAsync(host, request, ids, recommender, token);
                    }))
                .FailsAs(FailureKind.Invalid);
        }, token));
        return command;
    }

    /// <summary>The command's options, other than the session's items and the model.</summary>
    sealed record Request(string RunPath, int K, bool Json, string? Pipeline, string? Cache, bool Verbose);

    static LanguageExt.Fin<ImmutableArray<int>> ItemIds(string items) =>
        items.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
                ? FinSucc(id)
                : FinFail<int>(Error.New($"--items: '{part}' is not an item id (expected integers such as 12,7,99)")))
            .AllOrFirstError();

    /// <summary>The model asked for, else the first the run trained that is not an LLM baseline, else the first.</summary>
    static async Task<LanguageExt.Fin<string>> ModelNameAsync(string path, string? name, CancellationToken token) =>
        name is not null
            ? FinSucc(name)
            : (await Recommender.ModelsAsync(path, token))
                .Map(models => models.FirstOrDefault(m => !m.StartsWith("llm", StringComparison.Ordinal)) ?? models.First());

    static async Task<Outcome> RecommendAsync(CliHost host, Request request, ImmutableArray<int> ids, Recommender recommender, CancellationToken token)
    {
        var views = FinSucc(ImmutableArray<SessionView>.Empty);
        if (!recommender.RequiredViews.IsEmpty)
        {
            using var provider = new Logging.TextWriterLoggerProvider(host.Error, request.Verbose ? LogLevel.Debug : LogLevel.Warning, request.Verbose);
            views = await MakeViewsAsync(host, request.RunPath, request.Pipeline, request.Cache, ids, recommender, provider.CreateLogger("recommend"), token);
        }
        var recommended =
            from v in views
            from list in recommender.Recommend(ids, request.K, v.IsEmpty ? null : v.ToDictionary(x => x.View, x => x.Vector))
            select (Views: v, List: list);
        return await recommended.MapAsync(async r =>
        {
            await PrintAsync(host, request.Json, recommender.Model, ids, r.Views, r.List);
            return unit;
        });
    }

    static async Task PrintAsync(CliHost host, bool json, string model, ImmutableArray<int> ids, ImmutableArray<SessionView> views,
        ImmutableArray<Recommendation> list)
    {
        if (json)
        {
            var array = new JsonArray([.. list.Select((r, i) => (JsonNode)new JsonObject
            {
                ["rank"] = i + 1, ["item_id"] = r.ItemId, ["title"] = r.Title, ["score"] = r.Score,
            })]);
            var viewArray = new JsonArray([.. views.Select(v => (JsonNode)new JsonObject
            {
                ["view"] = v.View, ["answer"] = v.Answer, ["engine"] = v.AnswerEngine, ["fell_back_to_offline"] = v.FellBackToOffline,
                ["pulled_onto"] = new JsonArray([.. v.PulledOnto.Select(p => (JsonNode)new JsonObject
                {
                    ["item_id"] = p.ItemId, ["title"] = p.Title, ["similarity"] = p.Similarity,
                })]),
            })]);
            await host.Out.WriteLineAsync(new JsonObject { ["model"] = model, ["views"] = viewArray, ["items"] = array }.ToJsonString());
        }
        else
        {
            foreach (var v in views)
                await host.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"view {v.View} ({v.AnswerEngine}{(v.FellBackToOffline ? ", fell back to offline" : "")}): \"{v.Answer}\" -> pulled onto {(v.PulledOnto.IsEmpty ? "(k = 0: the answer itself)" : string.Join("; ", v.PulledOnto.Select(p => $"{p.ItemId} {p.Title} ({p.Similarity:F2})")))}"));
            await host.Out.WriteLineAsync($"{model}: top {list.Length} after [{string.Join(", ", ids)}]");
            for (var i = 0; i < list.Length; i++)
                await host.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{i + 1,3}. {list[i].ItemId,7}  {list[i].Score,9:F4}  {list[i].Title}"));
        }
    }

    /// <summary>The session's views for a model that reads them: the run's pipeline (checked against the
    /// run's recorded intent settings), its titles, then the intent steps for this one session.</summary>
    static async Task<ViewsOrError> MakeViewsAsync(
        CliHost host, string runPath, string? pipelineName, string? cache, ImmutableArray<int> ids, Recommender recommender,
        ILogger logger, CancellationToken token)
    {
        var root = RunIntent.RunRoot(runPath);
        var name = pipelineName ?? RunIntent.PipelineName(root);
        if (name is null)
            return Error.New($"model '{recommender.Model}' needs the session's views {string.Join(", ", recommender.RequiredViews)}, made with the run's pipeline: "
                + $"the run folder {root} records none (no run.json); give --pipeline");
        return await
            (from workspace in PipelineWorkspace.Open(name, cache, null, host, StageCatalogs.Product(host, cache))
             // the first of the setup's errors, as the intent stages report it
             from setup in SessionViewSetup.Read(workspace.Pipeline).Match(FinSucc, errors => FinFail<SessionViewSetup>(errors.Head))
             select (Workspace: workspace, Setup: setup))
            .BindAsync(opened => RunIntent.ReadTitlesAsync(root, opened.Workspace.Pipeline, token)
                .BindAsync(titles => SessionViews.ComputeAsync(ids, recommender.RequiredViews, titles, opened.Setup,
                    IntentServices.Default with
                    {
                        CacheRoot = opened.Workspace.CacheRoot,
                        Environment = host.GetEnvironmentVariable,
                    },
                    logger, token)));
    }
}

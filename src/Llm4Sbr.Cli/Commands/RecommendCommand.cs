using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ViewsOrError = LanguageExt.Fin<System.Collections.Immutable.ImmutableArray<Llm4Sbr.Stages.Modeling.Recommend.SessionView>>;
using Llm4Sbr.Stages.Intent;
using Llm4Sbr.Stages.Intent.Titles;
using Llm4Sbr.Stages.Modeling.Recommend;
using Microsoft.Extensions.Logging;
using Error = LanguageExt.Common.Error;

namespace Llm4Sbr.Cli.Commands;

/// <summary><c>llm4sbr recommend --run DIR --items 12,7,99 [--k 10] [--model NAME] [--json]</c>:
/// the top-k next items, with titles, for a new session, from a finished run's trained models. For a
/// model that reads views (LLM4SBR), the session's views are made first as the intent stages make
/// them, with the run's pipeline settings (<c>--pipeline</c>, default: the one the run recorded) and
/// caches (<c>--cache</c>); the answers and the items they were pulled onto are shown.</summary>
public static class RecommendCommand
{
    public static Command Create(CliHost host, Option<bool> verbose)
    {
        var run = new Option<string>("--run") { Description = "A run folder (runs/PIPELINE) or its train/ folder", Required = true };
        var items = new Option<string>("--items") { Description = "The session's item ids, oldest first, comma-separated", Required = true };
        var k = new Option<int>("--k") { Description = "How many items to recommend", DefaultValueFactory = _ => 10 };
        var model = new Option<string?>("--model") { Description = "Which trained model (default: the first the run trained)" };
        var json = new Option<bool>("--json") { Description = "Print the recommendations as JSON" };
        var pipeline = new Option<string?>("--pipeline") { Description = "For models with views: the pipeline whose intent settings make the session's views (default: the run's)" };
        var cache = new Option<string?>("--cache") { Description = "Cache folder for the LLM responses and embeddings (default: $LLM4SBR_CACHE, else .cache/ in the repository)" };
        var command = new Command("recommend", "Recommend the next items for a session with a trained run's model") { run, items, k, model, json, pipeline, cache };
        command.SetAction((parse, token) => CliApp.Guard(host, parse.GetValue(verbose), async () =>
        {
            var ids = new List<int>();
            foreach (var part in parse.GetValue(items)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                {
                    return CommandFailure.Report(host, Error.New($"--items: '{part}' is not an item id (expected integers such as 12,7,99)"), FailureKind.Invalid);
                }
                ids.Add(id);
            }
            var path = Path.GetFullPath(Path.Combine(host.WorkingDirectory, parse.GetValue(run)!));
            var name = parse.GetValue(model);
            if (name is null)
            {
                var models = await Recommender.ModelsAsync(path, token);
                if (models.IsFail) return await Fail((Error)models);
                name = ((ImmutableArray<string>)models).FirstOrDefault(m => !m.StartsWith("llm", StringComparison.Ordinal))
                    ?? ((ImmutableArray<string>)models).First();
            }
            var loaded = await Recommender.LoadAsync(path, name, ct: token);
            if (loaded.IsFail) return await Fail((Error)loaded);
            using var recommender = (Recommender)loaded;
            var views = ImmutableArray<SessionView>.Empty;
            if (!recommender.RequiredViews.IsEmpty)
            {
                using var provider = new Logging.TextWriterLoggerProvider(host.Error, parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning, parse.GetValue(verbose));
                var made = await MakeViewsAsync(host, path, parse.GetValue(pipeline), parse.GetValue(cache), ids, recommender, provider.CreateLogger("recommend"), token);
                if (made.IsFail) return await Fail((Error)made);
                views = (ImmutableArray<SessionView>)made;
            }
            var top = recommender.Recommend(ids, parse.GetValue(k), views.IsEmpty ? null : views.ToDictionary(v => v.View, v => v.Vector));
            if (top.IsFail) return await Fail((Error)top);
            var list = (ImmutableArray<Recommendation>)top;
            if (parse.GetValue(json))
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
                await host.Out.WriteLineAsync(new JsonObject { ["model"] = recommender.Model, ["views"] = viewArray, ["items"] = array }.ToJsonString());
            }
            else
            {
                foreach (var v in views)
                    await host.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"view {v.View} ({v.AnswerEngine}{(v.FellBackToOffline ? ", fell back to offline" : "")}): \"{v.Answer}\" -> pulled onto {(v.PulledOnto.IsEmpty ? "(k = 0: the answer itself)" : string.Join("; ", v.PulledOnto.Select(p => $"{p.ItemId} {p.Title} ({p.Similarity:F2})")))}"));
                await host.Out.WriteLineAsync($"{recommender.Model}: top {list.Length} after [{string.Join(", ", ids)}]");
                for (var i = 0; i < list.Length; i++)
                    await host.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{i + 1,3}. {list[i].ItemId,7}  {list[i].Score,9:F4}  {list[i].Title}"));
            }
            return ExitCodes.Ok;

            Task<int> Fail(Error e) => Task.FromResult(CommandFailure.Report(host, e, FailureKind.Invalid));
        }, token));
        return command;
    }

    /// <summary>The session's views for a model that reads them: the run's pipeline (checked against the
    /// run's recorded intent settings), its titles, then the intent steps for this one session.</summary>
    static async Task<ViewsOrError> MakeViewsAsync(
        CliHost host, string runPath, string? pipelineName, string? cache, IReadOnlyList<int> ids, Recommender recommender,
        ILogger logger, CancellationToken token)
    {
        var root = RunIntent.RunRoot(runPath);
        var name = pipelineName ?? RunIntent.PipelineName(root);
        if (name is null)
            return Error.New($"model '{recommender.Model}' needs the session's views {string.Join(", ", recommender.RequiredViews)}, made with the run's pipeline: "
                + $"the run folder {root} records none (no run.json); give --pipeline");
        var workspace = PipelineWorkspace.Open(name, cache, null, host, StageCatalogs.Product(host, cache));
        if (workspace.IsFail) return (Error)workspace;
        var definition = ((PipelineWorkspace)workspace).Pipeline;
        var setup = SessionViewSetup.Read(definition).Match(LanguageExt.Prelude.FinSucc, e => LanguageExt.Prelude.FinFail<SessionViewSetup>(e.Head));
        if (setup.IsFail) return (Error)setup;
        var titles = await RunIntent.ReadTitlesAsync(root, definition, token);
        if (titles.IsFail) return (Error)titles;
        var services = IntentServices.Default with
        {
            CacheRoot = ((PipelineWorkspace)workspace).CacheRoot,
            Environment = host.GetEnvironmentVariable,
        };
        return await SessionViews.ComputeAsync(ids, recommender.RequiredViews, (TitleEmbeddings)titles,
            (SessionViewSetup)setup, services, logger, token);
    }
}

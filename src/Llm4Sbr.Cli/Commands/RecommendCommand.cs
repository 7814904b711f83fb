using System.CommandLine;
using System.Globalization;
using Llm4Sbr.Stages.Modeling.Recommend;

namespace Llm4Sbr.Cli.Commands;

/// <summary><c>llm4sbr recommend --run DIR --items 12,7,99 [--k 10] [--model NAME] [--json]</c>:
/// the top-k next items, with titles, for a new session, from a finished run's trained models.</summary>
public static class RecommendCommand
{
    public static Command Create(CliHost host, Option<bool> verbose)
    {
        var run = new Option<string>("--run") { Description = "A run folder (runs/PIPELINE) or its train/ folder", Required = true };
        var items = new Option<string>("--items") { Description = "The session's item ids, oldest first, comma-separated", Required = true };
        var k = new Option<int>("--k") { Description = "How many items to recommend", DefaultValueFactory = _ => 10 };
        var model = new Option<string?>("--model") { Description = "Which trained model (default: the first the run trained)" };
        var json = new Option<bool>("--json") { Description = "Print the recommendations as JSON" };
        var command = new Command("recommend", "Recommend the next items for a session with a trained run's model") { run, items, k, model, json };
        command.SetAction((parse, token) => CliApp.Guard(host, parse.GetValue(verbose), async () =>
        {
            var ids = new List<int>();
            foreach (var part in parse.GetValue(items)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                {
                    await host.Error.WriteLineAsync($"error: --items: '{part}' is not an item id (expected integers such as 12,7,99)");
                    return ExitCodes.Invalid;
                }
                ids.Add(id);
            }
            var path = Path.GetFullPath(Path.Combine(host.WorkingDirectory, parse.GetValue(run)!));
            var name = parse.GetValue(model);
            if (name is null)
            {
                var models = await Recommender.ModelsAsync(path, token);
                if (models.IsFail) return await Fail((LanguageExt.Common.Error)models);
                name = ((System.Collections.Immutable.ImmutableArray<string>)models).FirstOrDefault(m => !m.StartsWith("llm", StringComparison.Ordinal))
                    ?? ((System.Collections.Immutable.ImmutableArray<string>)models).First();
            }
            var loaded = await Recommender.LoadAsync(path, name, ct: token);
            if (loaded.IsFail) return await Fail((LanguageExt.Common.Error)loaded);
            using var recommender = (Recommender)loaded;
            var top = recommender.Recommend(ids, parse.GetValue(k));
            if (top.IsFail) return await Fail((LanguageExt.Common.Error)top);
            var list = (System.Collections.Immutable.ImmutableArray<Recommendation>)top;
            if (parse.GetValue(json))
            {
                var array = new System.Text.Json.Nodes.JsonArray([.. list.Select((r, i) => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
                {
                    ["rank"] = i + 1, ["item_id"] = r.ItemId, ["title"] = r.Title, ["score"] = r.Score,
                })]);
                await host.Out.WriteLineAsync(new System.Text.Json.Nodes.JsonObject { ["model"] = recommender.Model, ["items"] = array }.ToJsonString());
            }
            else
            {
                await host.Out.WriteLineAsync($"{recommender.Model}: top {list.Length} after [{string.Join(", ", ids)}]");
                for (var i = 0; i < list.Length; i++)
                    await host.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{i + 1,3}. {list[i].ItemId,7}  {list[i].Score,9:F4}  {list[i].Title}"));
            }
            return ExitCodes.Ok;

            async Task<int> Fail(LanguageExt.Common.Error e)
            {
                await host.Error.WriteLineAsync($"error: {PipelineCommands.OneLine(e)}");
                return ExitCodes.Invalid;
            }
        }, token));
        return command;
    }
}

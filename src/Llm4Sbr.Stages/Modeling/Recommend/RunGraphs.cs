using System.Text.Json;
using System.Text.Json.Nodes;
using LanguageExt;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Stages.Modeling.Graphs;
using Llm4Sbr.Training.Graphs;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Recommend;

/// <summary>The <c>graphs</c> output a run's <c>train</c> stage read, found from the train folder's
/// manifest (its <c>inputs.graphs</c> key): the sibling <c>graphs/</c> of a run folder, or the cache entry
/// of that key beside a <c>train</c> cache entry. A model whose backbone needs the training-wide graphs
/// (GCE-GNN, DHCN) is rebuilt from them: the checkpoint holds weights only.</summary>
public static class RunGraphs
{
    public static async Task<Fin<TrainingGraphs>> ReadAsync(string trainFolder, CancellationToken ct)
    {
        var key = KeyOf(trainFolder, input: GraphsStage.Name);
        if (key is null)
            return ModelingErrors.NotARun(trainFolder, $"its manifest names no '{GraphsStage.Name}' input: the run was trained without the training-wide graphs; rerun train");
        var parent = Path.GetDirectoryName(trainFolder) ?? trainFolder;
        var candidates = new[]
        {
            Path.Combine(parent, GraphsStage.Name),                                                         // runs/PIPELINE/graphs
            Path.Combine(Path.GetDirectoryName(parent) ?? parent, key[..2], key),                          // CACHE/entries/ab/KEY
        };
        var folder = candidates.FirstOrDefault(c => KeyOf(c, input: null) == key);
        if (folder is null)
            return ModelingErrors.NotARun(trainFolder, $"the '{GraphsStage.Name}' output it was trained with (key {key[..12]}) is in neither {candidates[0]} nor the cache beside it; rerun the pipeline through train");
        if (await ManifestFiles.CheckFolderAsync(folder, ct).ConfigureAwait(false) is { } damaged)
            return ModelingErrors.NotARun(folder, $"{damaged.Name}: {damaged.Reason}");
        var read = await TrainingGraphsCodec.Instance.ReadAsync(folder, ct).ConfigureAwait(false);
        return read.Match(FinSucc, e => FinFail<TrainingGraphs>(ModelingErrors.NotARun(folder, e.Message)));
    }

    /// <summary>The folder's own key (<paramref name="input"/> null) or the key of one of its inputs, from
    /// its <c>manifest.json</c> (run folders and cache entries share these two fields).</summary>
    static string? KeyOf(string folder, string? input)
    {
        var path = Path.Combine(folder, "manifest.json");
        if (!File.Exists(path)) return null;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path));
            return (input is null ? node?["key"] : node?["inputs"]?[input])?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}

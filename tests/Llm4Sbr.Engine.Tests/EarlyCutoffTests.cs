using System.Collections.Immutable;
using System.Text.Json.Nodes;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Keys;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Engine.Tests.Support;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Tests;

/// <summary>Early cutoff: a stage declared <see cref="StageKeying.ByOutput"/> is read by the hash of its
/// output, so a change upstream that leaves that output as it was leaves its readers cached.
/// <code>
/// source ─► project (content-keyed: the values below `below`) ─► costly (sum) ─► after (x10)
/// </code></summary>
public sealed class EarlyCutoffTests : IDisposable
{
    readonly Workspace _ws = new();
    public void Dispose() => _ws.Dispose();

    sealed record ProjectConfig(long Below, bool Fail);

    static readonly StageInput<Numbers> Project = new("project");
    static readonly StageInput<Numbers> Costly = new("costly");

    Pipelines.StageCatalog Catalog() => TestStages.Catalog(_ws.Log).With(
        new TestStages.Module("project", ["project"], (s, _) => s["project"].Read(r => new ProjectConfig(r.Long("below", 12), r.Bool("fail", false)))
            .Map(c => (IStage)(Stage.Pure("project", "1", c, new NumbersCodec("project", _ws.Log), [TestStages.Source],
                (cfg, inputs, _) =>
                {
                    _ws.Log.Ran("project");
                    return cfg.Fail
                        ? FinFail<Numbers>(Error.New(7, "project refuses to run"))
                        : FinSucc(new Numbers([.. inputs.Get(TestStages.Source).Values.Where(v => v < cfg.Below)]));
                }) with { Keying = StageKeying.ByOutput }))),
        new TestStages.Module("costly", ["costly"], (s, _) => s["costly"].Read(_ => new EmptyConfig())
            .Map(c => (IStage)Stage.Pure("costly", "1", c, new NumbersCodec("costly", _ws.Log), [Project],
                (_, inputs, _) => Ran("costly", new Numbers([inputs.Get(Project).Values.Sum()]))))),
        new TestStages.Module("after", ["after"], (s, _) => s["after"].Read(_ => new EmptyConfig())
            .Map(c => (IStage)Stage.Pure("after", "1", c, new NumbersCodec("after", _ws.Log), [Costly],
                (_, inputs, _) => Ran("after", new Numbers([.. inputs.Get(Costly).Values.Select(v => v * 10)]))))));

    Fin<Numbers> Ran(string stage, Numbers output)
    {
        _ws.Log.Ran(stage);
        return FinSucc(output);
    }

    /// <summary>source = 10..(10 + count - 1); project keeps 10 and 11 while count grows.</summary>
    static string Yaml(int count = 5, long offset = 10, bool fail = false) => $$"""
        source: {count: {{count}}, offset: {{offset}}}
        project: {below: 12, fail: {{(fail ? "true" : "false")}}}
        costly: {}
        after: {}
        """;

    static readonly PlanOptions UntilAfter = new(Until: "after");

    Task<Fin<PipelinePlan>> PlanAsync(string yaml, PlanOptions? options = null, IOutputContents? contents = null) =>
        PipelinePlanner.PlanAsync(_ws.Load(yaml, Catalog()), options ?? UntilAfter, new FileFingerprints(), contents ?? NoOutputContents.Instance, CancellationToken.None);

    async Task<RunResult> RunAsync(string yaml, PlanOptions? options = null) =>
        await new PipelineRunner(_ws.Store, _ws.Logger).RunAsync((await PlanAsync(yaml, options)).Value(), _ws.Outputs(), null, CancellationToken.None);

    [Fact]
    public async Task A_content_keyed_stage_recomputed_with_a_new_key_but_the_same_output_leaves_its_readers_cached()
    {
        var first = await RunAsync(Yaml(count: 5));
        var second = await RunAsync(Yaml(count: 6));

        Assert.True(second.Succeeded, second.FirstError?.Message);
        Assert.Equal(StageStatus.Computed, second["source"].Status);
        Assert.Equal(StageStatus.Computed, second["project"].Status);
        Assert.NotEqual(first["project"].Key, second["project"].Key);
        Assert.Equal(StageStatus.Cached, second["costly"].Status);
        Assert.Equal(StageStatus.Cached, second["after"].Status);
        Assert.Equal(first["costly"].Key, second["costly"].Key);
        Assert.Equal(first["after"].Key, second["after"].Key);
        Assert.Equal(1, _ws.Log.Runs("costly"));
        Assert.Equal(1, _ws.Log.Runs("after"));
        Assert.Equal(new long[] { 210 }, (await second.OutputAsync<Numbers>("after", CancellationToken.None)).Value().Values.ToArray());
    }

    [Fact]
    public async Task A_content_keyed_stage_whose_output_changes_reruns_its_readers()
    {
        var first = await RunAsync(Yaml(offset: 10));
        var second = await RunAsync(Yaml(offset: 9));

        Assert.True(second.Succeeded, second.FirstError?.Message);
        Assert.All(second.Stages, s => Assert.Equal(StageStatus.Computed, s.Status));
        Assert.NotEqual(first["costly"].Key, second["costly"].Key);
        Assert.Equal(2, _ws.Log.Runs("costly"));
        Assert.Equal(new long[] { 300 }, (await second.OutputAsync<Numbers>("after", CancellationToken.None)).Value().Values.ToArray());
    }

    [Fact]
    public async Task A_reader_keys_on_the_output_hash_its_input_stored_and_the_manifest_records_it()
    {
        var run = await RunAsync(Yaml());
        var project = (await _ws.Store.LookupAsync(run["project"].Key!.Value, "project", CancellationToken.None)) as MemoLookup.Hit;
        var costly = (await _ws.Store.LookupAsync(run["costly"].Key!.Value, "costly", CancellationToken.None)) as MemoLookup.Hit;

        var content = OutputContent.Of(project!.Entry.Manifest);
        Assert.Equal(content, costly!.Entry.Manifest.InputContents!["project"]);
        Assert.Empty(costly.Entry.Manifest.Inputs);
        var material = new KeyMaterial("costly", "1", "numbers/1", "{}", ImmutableSortedDictionary<string, StageKey>.Empty,
            ImmutableSortedDictionary<string, string>.Empty) { InputContents = ImmutableSortedDictionary<string, string>.Empty.Add("project", content) };
        Assert.Equal(material.Key, run["costly"].Key);
        // The content-keyed stage itself keys on its input's key, as every other stage.
        Assert.Equal(run["source"].Key!.Value.Hex, project.Entry.Manifest.Inputs["source"]);
        Assert.Null(project.Entry.Manifest.InputContents);
        // The run folder's manifest says so too.
        Assert.Equal(content, _ws.Outputs().ReadManifest("costly")!.InputContents!["project"]);
        Assert.Null(_ws.Outputs().ReadManifest("project")!.InputContents);
    }

    [Fact]
    public async Task Without_content_inputs_the_key_material_is_what_it_was_before_content_keys()
    {
        var material = new KeyMaterial("scale", "1", "numbers/1", """{"factor":3}""",
            ImmutableSortedDictionary<string, StageKey>.Empty.Add("source", new StageKey(new string('a', 64))),
            ImmutableSortedDictionary<string, string>.Empty);
        Assert.Equal("""{"codec":"numbers/1","config":{"factor":3},"external":{},"inputs":{"source":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},"key_format":1,"stage":"scale","version":"1"}""",
            material.ToCanonicalJson());
        var withContent = material with { InputContents = ImmutableSortedDictionary<string, string>.Empty.Add("project", new string('b', 64)) };
        Assert.NotEqual(material.Key, withContent.Key);
        Assert.False(material.StructurallyEquals(withContent));

        // A plain stage's manifest has no input_contents member, so older readers see what they saw.
        var run = await RunAsync(Yaml());
        var entry = _ws.Store.EntryDirectory(run["source"].Key!.Value);
        Assert.Null(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(entry, MemoManifest.FileName)))!["input_contents"]);
    }

    [Fact]
    public async Task Readers_keys_are_known_at_plan_time_when_the_content_keyed_stage_is_cached_and_after_it_ran_otherwise()
    {
        var blind = (await PlanAsync(Yaml())).Value();
        Assert.Null(blind["costly"].Key);
        Assert.Null(blind["after"].Key);
        Assert.Equal(new[] { "project" }, blind["after"].AwaitedOutputs.ToArray());
        Assert.NotNull(blind["project"].Key);

        var first = await RunAsync(Yaml());
        var cached = (await PlanAsync(Yaml(), contents: _ws.Store)).Value();
        Assert.Equal(first["costly"].Key, cached["costly"].Key);
        Assert.Equal(first["after"].Key, cached["after"].Key);
        Assert.Empty(cached["after"].AwaitedOutputs);

        // A new key for project: not cached, so its readers wait; a forced project is not known either.
        Assert.Null((await PlanAsync(Yaml(count: 6), contents: _ws.Store)).Value()["costly"].Key);
        Assert.Null((await PlanAsync(Yaml(), new PlanOptions("after", ["project"]), _ws.Store)).Value()["costly"].Key);

        // Once project ran alone (a run stopped there, resumed later), the readers' keys are known again.
        var partial = await RunAsync(Yaml(count: 6), new PlanOptions(Until: "project"));
        Assert.True(partial.Succeeded, partial.FirstError?.Message);
        Assert.Equal(first["costly"].Key, (await PlanAsync(Yaml(count: 6), contents: _ws.Store)).Value()["costly"].Key);
    }

    [Fact]
    public async Task Status_says_a_readers_key_is_known_after_the_content_keyed_stage_runs()
    {
        await RunAsync(Yaml(count: 5));
        var plan = (await PlanAsync(Yaml(count: 6))).Value();
        var states = (await PipelineStatus.InspectAsync(plan, _ws.Store, _ws.Outputs(), CancellationToken.None)).ToDictionary(s => s.Name);

        Assert.Equal(CacheState.Stale, states["project"].State);
        Assert.Equal(CacheState.Pending, states["costly"].State);
        Assert.Null(states["costly"].Key);
        Assert.StartsWith("key known after project runs", states["costly"].Detail);
        Assert.Equal(CacheState.Pending, states["after"].State);

        await RunAsync(Yaml(count: 6));
        var after = await PipelineStatus.InspectAsync(plan, _ws.Store, _ws.Outputs(), CancellationToken.None);
        Assert.All(after, s => Assert.Equal(CacheState.Cached, s.State));
    }

    [Fact]
    public async Task A_failing_content_keyed_stage_skips_its_readers_which_have_no_key()
    {
        var run = await RunAsync(Yaml(fail: true));

        Assert.False(run.Succeeded);
        Assert.Equal(StageStatus.Failed, run["project"].Status);
        Assert.NotNull(run["project"].Key);
        Assert.Equal(StageStatus.Skipped, run["costly"].Status);
        Assert.Null(run["costly"].Key);
        Assert.Contains("project", run["costly"].Error!.Message);
        Assert.Equal(StageStatus.Skipped, run["after"].Status);
        Assert.Contains("project refuses to run", run.FirstError!.Message);
        Assert.Equal(0, _ws.Log.Runs("costly"));
        Assert.Null(RunSummaryJson.Build(run)["stages"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "costly")!["key"]);
    }

    [Fact]
    public async Task Forcing_a_content_keyed_stage_recomputes_it_and_its_readers_with_the_same_keys()
    {
        var first = await RunAsync(Yaml());
        var forced = await RunAsync(Yaml(), new PlanOptions("after", ["project"]));

        Assert.True(forced.Succeeded, forced.FirstError?.Message);
        Assert.Equal(["computed", "computed", "computed"], new[] { "project", "costly", "after" }.Select(s => forced[s].Status.ToString().ToLowerInvariant()));
        Assert.Equal(StageStatus.Cached, forced["source"].Status);
        Assert.Equal(first.Stages.Select(s => s.Key), forced.Stages.Select(s => s.Key));
    }
}

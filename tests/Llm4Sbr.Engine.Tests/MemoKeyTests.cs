using System.Collections.Immutable;
using System.Text.Json.Nodes;
using CsCheck;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Keys;
using Llm4Sbr.Engine.Tests.Support;

namespace Llm4Sbr.Engine.Tests;

public sealed class MemoKeyTests
{
    static readonly Gen<string> Name = Gen.String[Gen.Char["abcdefghij-_:/ é0123456789"], 1, 12];
    static readonly Gen<string> Hex64 = Gen.Byte.Array[32].Select(b => Convert.ToHexStringLower(b));

    /// <summary>A configuration as canonical JSON, built from random scalar values.</summary>
    static readonly Gen<ImmutableSortedDictionary<string, string>> ConfigValues =
        Gen.Dictionary(Name, Gen.OneOf(
                Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Gen.Double[-1e6, 1e6].Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
                Name.Select(s => $"\"{s}\""),
                Gen.Bool.Select(b => b ? "true" : "false")))[0, 5]
            .Select(d => d.ToImmutableSortedDictionary(StringComparer.Ordinal));

    static readonly Gen<KeyMaterial> Material =
        Gen.Select(Name, Name, Name, ConfigValues,
                Gen.Dictionary(Name, Hex64)[0, 3], Gen.Dictionary(Name, Hex64)[0, 2])
            .Select((stage, version, codec, config, inputs, external) => new KeyMaterial(
                stage, version, codec, ToJson(config),
                inputs.ToImmutableSortedDictionary(p => p.Key, p => new StageKey(p.Value), StringComparer.Ordinal),
                external.ToImmutableSortedDictionary(StringComparer.Ordinal)));

    static string ToJson(ImmutableSortedDictionary<string, string> values) =>
        CanonicalJson.Canonicalize(new JsonObject(values.Select(p => KeyValuePair.Create(p.Key, JsonNode.Parse(p.Value)))));

    /// <summary>Changes exactly one component of the material (0 changes nothing).</summary>
    static KeyMaterial Mutate(KeyMaterial m, int which, string salt) => which switch
    {
        0 => m with { },
        1 => m with { Stage = m.Stage + salt },
        2 => m with { Version = m.Version + salt },
        3 => m with { Codec = m.Codec + salt },
        4 => m with { CanonicalConfig = ToJson(JsonNode.Parse(m.CanonicalConfig)!.AsObject()
            .ToImmutableSortedDictionary(p => p.Key, p => p.Value!.ToJsonString(), StringComparer.Ordinal)
            .SetItem("changed" + salt, "1")) },
        5 => m with { Inputs = m.Inputs.SetItem("input" + salt, new StageKey(new string('a', 64))) },
        6 => m with { Inputs = m.Inputs.IsEmpty ? m.Inputs.Add("x", new StageKey(new string('b', 64)))
            : m.Inputs.SetItem(m.Inputs.Keys.First(), new StageKey(Flip(m.Inputs.Values.First().Hex))) },
        7 => m with { External = m.External.SetItem("file" + salt, new string('c', 64)) },
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };

    static string Flip(string hex) => (hex[0] == '0' ? '1' : '0') + hex[1..];

    [Fact]
    public void Key_changes_when_and_only_when_a_component_changes() =>
        Gen.Select(Material, Gen.Int[0, 7], Name).CheckFixed((material, which, salt) =>
        {
            var other = Mutate(material, which, salt);
            Assert.Equal(which == 0, material.StructurallyEquals(other));
            Assert.Equal(which == 0, material.Key == other.Key);
        }, iter: 2000);

    [Fact]
    public void Key_does_not_depend_on_the_order_keys_were_written_in() =>
        Gen.Select(ConfigValues, Gen.Int).CheckFixed((config, seed) =>
        {
            var shuffled = new JsonObject(config.OrderBy(_ => new Random(seed).Next())
                .Select(p => KeyValuePair.Create(p.Key, JsonNode.Parse(p.Value))));
            Assert.Equal(ToJson(config), CanonicalJson.Canonicalize(shuffled));
        });

    [Fact]
    public void Key_is_64_lower_case_hex() =>
        Material.CheckFixed(m => Assert.True(StageKey.IsValid(m.Key.Hex)));

    [Fact]
    public void Configuration_records_with_equal_values_serialise_identically_and_differing_ones_do_not() =>
        Gen.Select(Gen.Int[1, 5000], Gen.Int[1, 10], Gen.Int[1, 10], Gen.Bool).CheckFixed((bucket, support, length, timed) =>
        {
            var grouping = timed ? SessionGrouping.KeyAndTimeBucket : SessionGrouping.Key;
            var a = new SessionizeOptions(grouping, bucket, support, length);
            var b = new SessionizeOptions(grouping, bucket, support, length);
            Assert.Equal(CanonicalJson.Serialize(a), CanonicalJson.Serialize(b));
            Assert.NotEqual(CanonicalJson.Serialize(a), CanonicalJson.Serialize(a with { MinLength = length + 1 }));
            Assert.NotEqual(CanonicalJson.Serialize(a), CanonicalJson.Serialize(a with { BucketSeconds = bucket + 1 }));
        });

    [Fact]
    public void Canonical_configuration_is_compact_sorted_snake_case_with_kebab_enums() =>
        Assert.Equal("""{"bucket_seconds":600,"grouping":"key-and-time-bucket","min_item_support":5,"min_length":2}""",
            CanonicalJson.Serialize(new SessionizeOptions(SessionGrouping.KeyAndTimeBucket, 600, 5, 2)));

    [Fact]
    public async Task Planned_keys_follow_the_graph_a_change_reaches_exactly_the_stage_and_its_descendants()
    {
        using var ws = new Workspace();
        var baseline = await ws.PlanAsync(TestPipelines.Default);
        var scaled = await ws.PlanAsync(TestPipelines.Default.Replace("factor: 3", "factor: 4"));
        var shifted = await ws.PlanAsync(TestPipelines.Default.Replace("offset: 10", "offset: 11"));
        var same = await ws.PlanAsync("# reordered, same values\nside: {}\ntotal: {}\nscale: {factor: 3}\nsource: {offset: 10, count: 5}\n");

        string[] Changed(Graph.PipelinePlan other) =>
            [.. baseline.Stages.Where(s => s.Key != other[s.Name].Key).Select(s => s.Name)];

        Assert.Equal(["scale", "total"], Changed(scaled));
        Assert.Equal(["source", "scale", "total", "side"], Changed(shifted));
        Assert.Empty(Changed(same));
        Assert.Equal(baseline["source"].Key, baseline["scale"].Material!.Inputs["source"]);
    }

    [Fact]
    public async Task Editing_a_source_file_changes_the_key_of_the_stage_that_reads_it()
    {
        using var ws = new Workspace();
        var data = Path.Combine(ws.Root, "data.txt");
        await File.WriteAllTextAsync(data, "one");
        var catalog = TestStages.Catalog(ws.Log).With(new FileStage());
        var yaml = TestPipelines.Default + "\nfile: {path: data.txt}\n";
        async Task<PipelinePlan> Plan() => (await PipelinePlanner.PlanAsync(ws.Load(yaml, catalog), new PlanOptions(), new FileFingerprints(), CancellationToken.None)).Value();

        var before = await Plan();
        await File.WriteAllTextAsync(data, "two");
        var after = await Plan();

        Assert.NotEqual(before["file"].Key, after["file"].Key);
        Assert.Equal(before["source"].Key, after["source"].Key);
    }

    /// <summary>A stage reading one file outside the cache.</summary>
    sealed class FileStage : Pipelines.IStageModule
    {
        public string Stage => "file";
        public ImmutableArray<string> Sections => ["file"];

        public LanguageExt.Validation<LanguageExt.Common.Error, Stages.IStage> Build(Pipelines.PipelineSections sections, Pipelines.PipelineContext context) =>
            sections["file"].Read(r => (Path: r.RequiredString("path", "a file"), At: r.Location("path")))
                .Map(c => (Stages.IStage)(Stages.Stage.Pure("file", "1", c.Path, new NumbersCodec("file", new StageLog()), [],
                    (_, _, _) => LanguageExt.Prelude.FinSucc(new Numbers([]))) with
                {
                    ExternalInputs = [new Stages.ExternalInput("data", context.Resolve(c.Path), c.Path, c.At)],
                }));
    }
}

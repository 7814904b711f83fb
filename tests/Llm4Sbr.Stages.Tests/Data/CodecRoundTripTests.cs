using System.Collections.Immutable;
using CsCheck;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Stages.Data.Codecs;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Tests.Modeling.Support;
using Llm4Sbr.Tests;

namespace Llm4Sbr.Stages.Tests.Data;

public sealed class CodecRoundTripTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "llm4sbr-codec-tests", Guid.NewGuid().ToString("N"));
    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    string NewFolder()
    {
        var folder = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    // Text with commas, quotes, accents, CJK, emoji and empty strings: what titles hold.
    static readonly Gen<string> Text = Gen.OneOfConst("a", "b", " ", ",", "\"", "'", "é", "中", "😀", "\n", "item 7").Array[0, 8].Select(string.Concat);
    static readonly Gen<ImmutableArray<int>> ItemList = Gen.Int.Array[0, 12].Select(a => a.ToImmutableArray());
    static readonly Gen<ImmutableArray<int>> NonEmptyItemList = Gen.Int.Array[1, 12].Select(a => a.ToImmutableArray());

    static readonly Gen<Item> Items = Gen.Select(Gen.Int, Text, Gen.Bool, (id, title, has) => new Item(id, title, has));
    static readonly Gen<Event> Events = Gen.Select(Gen.Long, Gen.Int, Gen.Long, (k, i, t) => new Event(k, i, t));
    static readonly Gen<LineIssue> Issues = Gen.Select(Text, Gen.Long[1, long.MaxValue], Text, Text, (f, l, fi, m) => new LineIssue(f, l, fi, m));

    static readonly Gen<LoadReport> Reports = Gen.Select(Gen.Long[0, 1_000_000], Gen.Long[0, 1000], Issues.Array[0, 4],
            Gen.Dictionary(Text, Gen.Long[0, 1000])[0, 3], Gen.Int[0, 100], Gen.Long[0, 100], Gen.Int[0, 100])
        .Select((read, skipped, issues, reasons, noTitle, unknownEvents, unknownIds) => new LoadReport(read, skipped, [.. issues],
            reasons.ToImmutableSortedDictionary(), noTitle, unknownEvents, unknownIds));

    static readonly Gen<LoadedData> Loaded = Gen.Select(Items.Array[0, 30], Events.Array[0, 60], Reports,
        (items, events, report) => new LoadedData([.. items], [.. events], report));

    static readonly Gen<Session> Sessions = Gen.Select(Gen.Long, Gen.Long, Gen.Long, ItemList, (id, key, bucket, items) => new Session(id, key, bucket, items));

    static readonly Gen<SessionsReport> SessionReports = Gen.Select(Gen.Long[0, 1 << 30], Gen.Int[0, 1000], Gen.Int[0, 1000], Gen.Int[0, 1000],
        Gen.Int[0, 1000], Gen.Long[0, 1 << 30], Gen.Int[0, 1000]).Select((a, b, c, d, e, f, g) => new SessionsReport(a, b, c, d, e, f, g));

    static readonly Gen<SessionSet> SessionSets = Gen.Select(Sessions.Array[0, 40], SessionReports, (s, r) => new SessionSet([.. s], r));
    static readonly Gen<SplitSet> SplitSets = Gen.Select(Sessions.Array[0, 30], Sessions.Array[0, 10], (a, b) => new SplitSet([.. a], [.. b]));

    static readonly Gen<SampleSet> SampleSets = Gen.Select(
            Gen.Select(Gen.Long, Gen.Long, NonEmptyItemList, Gen.Int).Array[0, 40],
            Gen.Select(Gen.Long, Gen.Long, NonEmptyItemList, Gen.Int).Array[0, 15])
        .Select((train, test) => new SampleSet(
            [.. train.Select(t => new Sample(t.Item1, t.Item2, SplitPart.Train, t.Item3, t.Item4))],
            [.. test.Select(t => new Sample(t.Item1, t.Item2, SplitPart.Test, t.Item3, t.Item4))]));

    static LanguageExt.Common.Error ErrorOf<T>(LanguageExt.Fin<T> fin) => fin.Match(_ => throw new InvalidOperationException("expected a failure"), e => e);

    async Task RoundTrip<T>(StageCodec<T> codec, T value) where T : class
    {
        var folder = NewFolder();
        var files = await codec.WriteAsync(value, folder, CancellationToken.None);
        Assert.Equal(codec.Tables.Select(t => t.File), files);
        var back = (await codec.ReadAsync(folder, CancellationToken.None)).Value();
        Structural.Equal(value, back);
    }

    [Fact]
    public Task LoadedData_round_trips() => Loaded.CheckFixedAsync(v => RoundTrip(LoadedDataCodec.Instance, v), iter: 40);

    [Fact]
    public Task SessionSet_round_trips_including_empty_item_lists() => SessionSets.CheckFixedAsync(v => RoundTrip(SessionSetCodec.Instance, v), iter: 40);

    [Fact]
    public Task SplitSet_round_trips_keeping_parts_and_order() => SplitSets.CheckFixedAsync(v => RoundTrip(SplitSetCodec.Instance, v), iter: 40);

    [Fact]
    public Task SampleSet_round_trips_keeping_parts_and_order() => SampleSets.CheckFixedAsync(v => RoundTrip(SampleSetCodec.Instance, v), iter: 40);

    [Fact]
    public async Task Reading_files_of_another_layout_is_an_error_naming_the_missing_column()
    {
        var folder = NewFolder();
        var other = new ParquetTable<int>("samples.parquet", "not samples", Col.Int32<int>("sample_id", "wrong type", i => i));
        await other.WriteAsync(folder, [1, 2, 3], CancellationToken.None);

        var read = await SampleSetCodec.Instance.ReadAsync(folder, CancellationToken.None);

        var error = ErrorOf(read);
        Assert.Equal(EngineErrors.ParquetSchemaCode, error.Code);
        Assert.EndsWith("samples.parquet: expected column 'sample_id' (int64); the file has 'sample_id' (Int32)", error.Message);
    }

    [Fact]
    public async Task An_unknown_part_value_is_an_error_not_a_silent_drop()
    {
        var folder = NewFolder();
        var table = new ParquetTable<string>("split.parquet", "bad parts",
            Col.String<string>("part", "", p => p), Col.Int64<string>("session_id", "", _ => 1), Col.Int64<string>("session_key", "", _ => 1),
            Col.Int64<string>("bucket", "", _ => 0), Col.Int32List<string>("items", "", _ => [1]));
        await table.WriteAsync(folder, ["train", "validation"], CancellationToken.None);

        var error = ErrorOf(await SplitSetCodec.Instance.ReadAsync(folder, CancellationToken.None));
        Assert.EndsWith("row 1: part 'validation' is not one of train, test", error.Message);
    }

    [Fact]
    public void Every_codec_documents_every_column()
    {
        IStageCodec[] codecs = [LoadedDataCodec.Instance, SessionSetCodec.Instance, SplitSetCodec.Instance, SampleSetCodec.Instance];
        foreach (var table in codecs.SelectMany(c => c.Tables))
        {
            Assert.EndsWith(".parquet", table.File);
            Assert.False(string.IsNullOrWhiteSpace(table.Description));
            Assert.All(table.Columns, c => Assert.False(string.IsNullOrWhiteSpace(c.Description), $"{table.File}.{c.Name}"));
        }
        Assert.Contains("| `prefix` | list<int32> |", SampleSetCodec.Instance.Tables[0].ToMarkdown());
    }
}

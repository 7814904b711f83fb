using System.Collections.Concurrent;
using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Tests.Support;

/// <summary>The output of every test stage: a list of numbers.</summary>
public sealed record Numbers(ImmutableArray<long> Values);

/// <summary>What the test stages did: how often each ran and how often each output was read
/// back from the cache; and switches to make a codec's read fail.</summary>
public sealed class StageLog
{
    readonly ConcurrentDictionary<string, int> _runs = new();
    readonly ConcurrentDictionary<string, int> _reads = new();
    public ConcurrentDictionary<string, bool> BrokenReads { get; } = new();

    public int Runs(string stage) => _runs.GetValueOrDefault(stage);
    public int Reads(string stage) => _reads.GetValueOrDefault(stage);
    /// <summary>Stages that stop when they run: they signal <see cref="StageGate.Entered"/> and wait for
    /// <see cref="StageGate.Release"/> (to hold a stage mid-computation while another runner starts).</summary>
    public ConcurrentDictionary<string, StageGate> Gates { get; } = new();

    public void Ran(string stage)
    {
        _runs.AddOrUpdate(stage, 1, (_, n) => n + 1);
        if (Gates.TryGetValue(stage, out var gate)) gate.Pass();
    }
    public void Read(string stage) => _reads.AddOrUpdate(stage, 1, (_, n) => n + 1);
}

public sealed class StageGate
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pass()
    {
        Entered.TrySetResult();
        Release.Task.Wait(TimeSpan.FromSeconds(60)); // liveness only, not a timing check
    }
}

/// <summary>Writes <see cref="Numbers"/> as one int64 column and logs reads per stage.</summary>
public sealed class NumbersCodec(string stage, StageLog log) : StageCodec<Numbers>
{
    static readonly ParquetTable<long> Table = new("numbers.parquet", "Test numbers.",
        Col.Int64<long>("value", "A number.", v => v));

    public override string Id => "numbers/1";
    public override ImmutableArray<TableDoc> Tables => [Table.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(Numbers value, string directory, CancellationToken ct)
    {
        await Table.WriteAsync(directory, value.Values, ct);
        return [Table.File];
    }

    public override async Task<Fin<Numbers>> ReadAsync(string directory, CancellationToken ct)
    {
        log.Read(stage);
        if (log.BrokenReads.GetValueOrDefault(stage))
            return FinFail<Numbers>(Error.New("test: this codec cannot read its files"));
        return (await Table.ReadAsync(directory, ct)).Map(t => new Numbers([.. t.Int64("value")]));
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(Numbers value) =>
        ImmutableSortedDictionary<string, long>.Empty.Add("values", value.Values.Length);
}

public sealed record SourceConfig(int Count, long Offset);
public sealed record ScaleConfig(long Factor, bool Fail, bool Throw);
public sealed record EmptyConfig;

/// <summary>A small test graph:
/// <code>
/// source ─► scale ─► total
///    └────► side
/// </code>
/// with sections <c>source: {count, offset}</c>, <c>scale: {factor, fail, throw}</c>,
/// <c>total: {}</c> and <c>side: {}</c>.</summary>
public static class TestStages
{
    public static readonly StageInput<Numbers> Source = new("source");
    public static readonly StageInput<Numbers> Scale = new("scale");

    public static StageCatalog Catalog(StageLog log) => new([
        new Module("source", ["source"], (s, _) => s["source"].Read(r => new SourceConfig(r.Int("count", 5, min: 0), r.Long("offset", 0)))
            .Map(c => (IStage)Stage.Pure("source", "1", c, new NumbersCodec("source", log), [],
                (cfg, _, _) => Run(log, "source", () => new Numbers([.. Enumerable.Range(0, cfg.Count).Select(i => cfg.Offset + i)]))))),
        new Module("scale", ["scale"], (s, _) => s["scale"].Read(r => new ScaleConfig(r.Long("factor", 2), r.Bool("fail", false), r.Bool("throw", false)))
            .Map(c => (IStage)Stage.Pure("scale", "1", c, new NumbersCodec("scale", log), [Source],
                (cfg, inputs, _) =>
                {
                    log.Ran("scale");
                    if (cfg.Throw) throw new InvalidOperationException("scale exploded");
                    return cfg.Fail
                        ? FinFail<Numbers>(Error.New(42, "scale refuses to run"))
                        : FinSucc(new Numbers([.. inputs.Get(Source).Values.Select(v => v * cfg.Factor)]));
                }))),
        new Module("total", ["total"], (s, _) => s["total"].Read(_ => new EmptyConfig())
            .Map(c => (IStage)Stage.Pure("total", "1", c, new NumbersCodec("total", log), [Scale],
                (_, inputs, context) =>
                {
                    context.Measurements.Record("values_summed", inputs.Get(Scale).Values.Length);
                    return Run(log, "total", () => new Numbers([inputs.Get(Scale).Values.Sum()]));
                }))),
        new Module("side", ["side"], (s, _) => s["side"].Read(_ => new EmptyConfig())
            .Map(c => (IStage)Stage.Pure("side", "1", c, new NumbersCodec("side", log), [Source],
                (_, inputs, _) => Run(log, "side", () => new Numbers([.. inputs.Get(Source).Values.Select(v => v + 1)]))))),
    ]);

    static Fin<Numbers> Run(StageLog log, string stage, Func<Numbers> compute)
    {
        log.Ran(stage);
        return FinSucc(compute());
    }

    public sealed class Module(string stage, ImmutableArray<string> sections,
        Func<PipelineSections, PipelineContext, Validation<Error, IStage>> build) : IStageModule
    {
        public string Stage => stage;
        public ImmutableArray<string> Sections => sections;
        public Validation<Error, IStage> Build(PipelineSections s, PipelineContext context) => build(s, context);
    }
}

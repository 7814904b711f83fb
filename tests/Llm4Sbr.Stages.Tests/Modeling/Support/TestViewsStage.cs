using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Randomness;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Modeling.Views;
using Llm4Sbr.Training.Evaluation;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Tests.Modeling.Support;

/// <summary>A test-only source of view embeddings, standing in for the intent stages: every item gets
/// a deterministic unit vector (from its id); a sample's <c>long</c> view is the mean of its prefix's
/// item vectors, <c>short</c> its last item's vector, <c>normal</c> the mean of its last three. The
/// item vectors double as item-title embeddings, so <c>llm-infer</c> can score.</summary>
public sealed record TestViews(
    ImmutableArray<string> Views, ImmutableArray<long> SampleIds, ImmutableArray<EmbeddingMatrix> Matrices,
    ItemTextEmbeddings? ItemTitles, string Engine) : IViewEmbeddingSource
{
    public const int Dim = 16;
    public static readonly ImmutableArray<string> AllViews = ["long", "short", "normal"];

    public EmbeddingMatrix For(string view) => Matrices[Views.IndexOf(view)];

    public static TestViews Build(SampleSet samples, IEnumerable<int> itemIds, string engine = "offline (test vectors)")
    {
        var all = samples.Train.Concat(samples.Test).ToArray();
        var items = itemIds.Distinct().Order().ToArray();
        var itemMatrix = EmbeddingMatrix.Create(items.Length, Dim);
        for (var i = 0; i < items.Length; i++) ItemVector(items[i]).CopyTo(itemMatrix.Data.AsSpan(i * Dim, Dim));
        var matrices = AllViews.Select(view =>
        {
            var m = EmbeddingMatrix.Create(all.Length, Dim);
            for (var s = 0; s < all.Length; s++)
            {
                var prefix = all[s].Prefix;
                var used = view switch
                {
                    "short" => prefix[^1..],
                    "normal" => prefix.Length > 3 ? prefix[^3..] : prefix,
                    _ => prefix,
                };
                var row = m.Data.AsSpan(s * Dim, Dim);
                foreach (var item in used)
                {
                    var v = ItemVector(item);
                    for (var d = 0; d < Dim; d++) row[d] += v[d] / used.Length;
                }
            }
            return m;
        });
        return new TestViews(AllViews, [.. all.Select(s => s.Id)], [.. matrices], new ItemTextEmbeddings([.. items], itemMatrix), engine);
    }

    /// <summary>A unit vector fixed by the item id (SplitMix64).</summary>
    public static float[] ItemVector(int itemId)
    {
        var v = new float[Dim];
        var random = new SplitMix64((ulong)itemId * SplitMix64.Gamma + 12345);
        double norm = 0;
        for (var d = 0; d < Dim; d++)
        {
            var z = random.Next();
            v[d] = (float)((z >> 11) * (1.0 / (1UL << 53)) * 2 - 1);
            norm += v[d] * v[d];
        }
        for (var d = 0; d < Dim; d++) v[d] = (float)(v[d] / Math.Sqrt(norm));
        return v;
    }
}

/// <summary>The test views as a stage (<c>test-views</c>, reading <c>samples</c> and <c>split</c>).</summary>
public sealed class TestViewsStage : IStageModule
{
    public const string Name = "test-views";

    public string Stage => Name;
    public ImmutableArray<string> Sections => [];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        Success<Error, IStage>(Engine.Stages.Stage.Pure(Name, "1", new { dim = TestViews.Dim }, TestViewsCodec.Instance,
            [SamplesStage.Output, SplitStage.Output],
            (_, inputs, _) =>
            {
                var split = inputs.Get(SplitStage.Output);
                return FinSucc(TestViews.Build(inputs.Get(SamplesStage.Output), split.Train.Concat(split.Test).SelectMany(s => s.Items)));
            }));
}

public sealed class TestViewsCodec : StageCodec<TestViews>
{
    public static TestViewsCodec Instance { get; } = new();

    sealed record Row(string View, long SampleId, ImmutableArray<float> Vector);

    static readonly ParquetTable<Row> ViewsTable = new("test_views.parquet", "Test view vectors.",
        Col.String<Row>("view", "View.", r => r.View),
        Col.Int64<Row>("sample_id", "Sample.", r => r.SampleId),
        Col.FloatList<Row>("vector", "Vector.", r => r.Vector));

    static readonly ParquetTable<Row> ItemsTable = new("test_items.parquet", "Test item vectors.",
        Col.String<Row>("engine", "Engine label.", r => r.View),
        Col.Int64<Row>("item_id", "Item.", r => r.SampleId),
        Col.FloatList<Row>("vector", "Vector.", r => r.Vector));

    public override string Id => "test-views/1";
    public override ImmutableArray<TableDoc> Tables => [ViewsTable.Doc, ItemsTable.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(TestViews value, string directory, CancellationToken ct)
    {
        var rows = value.Views.SelectMany(v => value.SampleIds.Select((id, i) => new Row(v, id, [.. value.For(v).Row(i)]))).ToList();
        await ViewsTable.WriteAsync(directory, rows, ct);
        var titles = value.ItemTitles!;
        await ItemsTable.WriteAsync(directory, [.. titles.ItemIds.Select((id, i) => new Row(value.Engine, id, [.. titles.Vectors.Row(i)]))], ct);
        return [ViewsTable.File, ItemsTable.File];
    }

    public override async Task<Fin<TestViews>> ReadAsync(string directory, CancellationToken ct)
    {
        var views = (await ViewsTable.ReadAsync(directory, ct)).Match(t => t, e => throw new InvalidOperationException(e.Message));
        var items = (await ItemsTable.ReadAsync(directory, ct)).Match(t => t, e => throw new InvalidOperationException(e.Message));
        var (names, ids, vectors) = (views.String("view"), views.Int64("sample_id"), views.FloatList("vector"));
        var order = names.Distinct().ToImmutableArray();
        var sampleIds = ids.Where((_, i) => names[i] == order[0]).ToImmutableArray();
        var matrices = order.Select(v => new EmbeddingMatrix(sampleIds.Length, TestViews.Dim,
            [.. Enumerable.Range(0, views.RowCount).Where(i => names[i] == v).SelectMany(i => vectors[i])])).ToImmutableArray();
        var itemVectors = items.FloatList("vector");
        var itemMatrix = new EmbeddingMatrix(items.RowCount, TestViews.Dim, [.. itemVectors.SelectMany(v => v)]);
        return new TestViews(order, sampleIds, matrices,
            new ItemTextEmbeddings([.. items.Int64("item_id").Select(i => (int)i)], itemMatrix), items.String("engine")[0]);
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(TestViews value) =>
        ImmutableSortedDictionary<string, long>.Empty.Add("samples", value.SampleIds.Length);
}

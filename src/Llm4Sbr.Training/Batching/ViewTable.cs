using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Embeddings;

namespace Llm4Sbr.Training.Batching;

/// <summary>The localized text embedding of one view (e.g. <c>long</c>, <c>short</c>, <c>normal</c>) for
/// each sample: row i of <see cref="Vectors"/> belongs to sample <see cref="SampleIds"/>[i]. This is what
/// the intent-inference stages hand to training; the join key is <see cref="Core.Data.Sample.Id"/>.</summary>
public sealed record SampleViewEmbeddings(string View, ImmutableArray<long> SampleIds, EmbeddingMatrix Vectors);

/// <summary>View vectors joined to one <see cref="PreparedSampleSet"/>: <see cref="Rows"/>[v] row i belongs
/// to the set's sample at position i. Empty when the models need no views.</summary>
public sealed record ViewTable(ImmutableArray<string> Views, ImmutableArray<EmbeddingMatrix> Rows)
{
    public static readonly ViewTable None = new([], []);

    public int IndexOf(string view) => Views.IndexOf(view);

    public Fin<EmbeddingMatrix> Get(string view)
    {
        int i = Views.IndexOf(view);
        return i >= 0 ? Rows[i]
            : Error.New($"view '{view}' is not available; available views: {(Views.IsEmpty ? "(none)" : string.Join(", ", Views))}");
    }
}

public static class ViewJoin
{
    public const string Version = "1";

    /// <summary>Joins every view to the samples of <paramref name="set"/> by sample id. Fails (as a value)
    /// when a view lacks a sample of the set, names a view twice, or disagrees on its row count.</summary>
    public static Fin<ViewTable> Join(PreparedSampleSet set, IReadOnlyList<SampleViewEmbeddings> views)
    {
        var names = ImmutableArray.CreateBuilder<string>(views.Count);
        var rows = ImmutableArray.CreateBuilder<EmbeddingMatrix>(views.Count);
        foreach (var view in views)
        {
            if (names.Contains(view.View)) return Error.New($"view '{view.View}' is given twice");
            if (view.SampleIds.Length != view.Vectors.Rows)
                return Error.New($"view '{view.View}': {view.SampleIds.Length} sample ids but {view.Vectors.Rows} vectors");
            var rowBySample = new Dictionary<long, int>(view.SampleIds.Length);
            for (int r = 0; r < view.SampleIds.Length; r++) rowBySample[view.SampleIds[r]] = r;
            var joined = EmbeddingMatrix.Create(set.Count, view.Vectors.Dim);
            for (int i = 0; i < set.Count; i++)
            {
                if (!rowBySample.TryGetValue(set[i].Id, out int r))
                    return Error.New($"view '{view.View}' has no vector for sample {set[i].Id} (session {set[i].SessionId})");
                view.Vectors.Row(r).CopyTo(joined.Data.AsSpan(i * joined.Dim, joined.Dim));
            }
            names.Add(view.View);
            rows.Add(joined);
        }
        return new ViewTable(names.ToImmutable(), rows.ToImmutable());
    }
}

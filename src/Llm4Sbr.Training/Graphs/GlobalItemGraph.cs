using System.Collections.Immutable;
using Llm4Sbr.Core.Randomness;

namespace Llm4Sbr.Training.Graphs;

/// <summary>How GCE-GNN's global graph is built: co-occurrences up to <see cref="Epsilon"/> clicks apart,
/// the <see cref="SampleNum"/> heaviest neighbours of each item kept, and the seed of the neighbour
/// sample (official defaults: epsilon 3, sample_num 12).</summary>
public sealed record GlobalGraphOptions(int Epsilon = 3, int SampleNum = 12, ulong Seed = 42);

/// <summary>One item's neighbours in the global graph, by item id: the kept neighbours, heaviest first
/// (<see cref="Neighbours"/>, <see cref="Weights"/> = co-occurrence counts), and the model's fixed
/// neighbour sample as positions into them (<see cref="Sample"/>, always <c>SampleNum</c> long).</summary>
public sealed record ItemNeighbours(int ItemId, ImmutableArray<int> Neighbours, ImmutableArray<int> Weights, ImmutableArray<int> Sample);

/// <summary>GCE-GNN's global item graph (Wang et al., SIGIR 2020), built from the training sessions as the
/// official <c>build_graph.py</c> and <c>utils.handle_adj</c> do: for every session and every gap
/// k = 1..epsilon, the pair (v_j, v_j+k) adds 1 to the edge in both directions (a repeated item gives a
/// self-neighbour, as there); each item keeps its <c>sample_num</c> heaviest neighbours, ties in the order
/// the neighbour was first met (Python's sort is stable and dicts keep insertion order); then the
/// neighbour sample is drawn once. <see cref="Items"/> holds every item with at least one neighbour,
/// ascending by id; the others have none (the official zero rows). Keyed by item id, not dense index,
/// so the graph does not depend on which items the test sessions add to the vocabulary.</summary>
public sealed record GlobalItemGraph(int Epsilon, int SampleNum, ulong Seed, ImmutableArray<ItemNeighbours> Items)
{
    /// <summary>Builds the graph of <paramref name="sessions"/> (item ids in click order), in their order
    /// (the order fixes ties). Pure.
    /// <para>The sample: the official draws <c>np.random.choice(n, sample_num, replace=n &lt; sample_num)</c>
    /// per item. With n = sample_num (top-k and sample_num are the same setting) that is a permutation,
    /// and GCE-GNN's neighbour attention and sum do not depend on the order, so the kept neighbours are
    /// taken in rank order without a draw. With fewer, sample_num draws with replacement come from
    /// <see cref="SplitMix64"/> seeded by (seed, item id): numpy's generator is not reproduced, and each
    /// item's draw depends on nothing but the seed and its own neighbours.</para></summary>
    public static GlobalItemGraph Build(IEnumerable<ImmutableArray<int>> sessions, GlobalGraphOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epsilon, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SampleNum, 1);
        // Per item: neighbour -> slot in its list (first-met order) and the list of (neighbour, count).
        var slots = new Dictionary<int, Dictionary<int, int>>();
        var lists = new Dictionary<int, List<(int Neighbour, int Count)>>();
        void Add(int from, int to)
        {
            if (!slots.TryGetValue(from, out var slot))
            {
                slots[from] = slot = [];
                lists[from] = [];
            }
            var list = lists[from];
            if (slot.TryGetValue(to, out int at)) list[at] = (to, list[at].Count + 1);
            else { slot[to] = list.Count; list.Add((to, 1)); }
        }
        foreach (var session in sessions)
            for (int k = 1; k <= options.Epsilon; k++)
                for (int j = 0; j + k < session.Length; j++)
                {
                    Add(session[j], session[j + k]);
                    Add(session[j + k], session[j]);
                }

        var items = lists.Keys.Order().Select(item =>
        {
            // OrderByDescending is stable: equal counts keep first-met order, as the official sort.
            var kept = lists[item].OrderByDescending(n => n.Count).Take(options.SampleNum).ToArray();
            return new ItemNeighbours(item, [.. kept.Select(n => n.Neighbour)], [.. kept.Select(n => n.Count)],
                SampleOf(item, kept.Length, options));
        });
        return new GlobalItemGraph(options.Epsilon, options.SampleNum, options.Seed, [.. items]);
    }

    static ImmutableArray<int> SampleOf(int item, int kept, GlobalGraphOptions options)
    {
        if (kept >= options.SampleNum) return [.. Enumerable.Range(0, options.SampleNum)];
        var random = new SplitMix64(SplitMix64.Mix(options.Seed) ^ ((ulong)(uint)item * SplitMix64.Gamma));
        var sample = new int[options.SampleNum];
        for (int s = 0; s < sample.Length; s++) sample[s] = random.NextBelow(kept);
        return [.. sample];
    }
}

using Llm4Sbr.Core.Randomness;

namespace Llm4Sbr.Training.Batching;

/// <summary>Deterministic permutations from a seed (<see cref="SplitMix64"/> + Fisher-Yates),
/// independent of the .NET version's <see cref="Random"/> implementation.</summary>
public static class SeededShuffle
{
    /// <summary>A permutation of 0..count-1 determined by <paramref name="seed"/> and <paramref name="stream"/>
    /// (e.g. the epoch), so every epoch gets its own order and a rerun gets the same ones.</summary>
    public static int[] Permutation(int count, ulong seed, ulong stream = 0)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var random = new SplitMix64(seed ^ (SplitMix64.Gamma * (stream + 1)));
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)(random.Next() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}

namespace Llm4Sbr.Training.Batching;

/// <summary>Deterministic permutations from a seed (SplitMix64 + Fisher-Yates), independent of the
/// .NET version's <see cref="Random"/> implementation.</summary>
public static class SeededShuffle
{
    /// <summary>A permutation of 0..count-1 determined by <paramref name="seed"/> and <paramref name="stream"/>
    /// (e.g. the epoch), so every epoch gets its own order and a rerun gets the same ones.</summary>
    public static int[] Permutation(int count, ulong seed, ulong stream = 0)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var state = seed ^ (0x9E3779B97F4A7C15UL * (stream + 1));
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)(Next(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

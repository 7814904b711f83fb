namespace Llm4Sbr.Baselines;

/// <summary>Which candidate neighbour sessions to keep when more than <c>sample_size</c> training
/// sessions share an item with the current session.</summary>
public enum CandidateSampling
{
    /// <summary>The most recent ones (latest in the training order), as session-rec's default.</summary>
    Recent,
    /// <summary>A uniform random subset, reproducible from the seed and the session's clicks.</summary>
    Random,
}

/// <summary>SplitMix64: a tiny, fast generator whose sequence is fixed by its seed on every
/// platform and runtime version (unlike <see cref="System.Random"/>, whose seeded sequence is not
/// guaranteed across .NET versions).</summary>
internal struct StableRandom(ulong state)
{
    private ulong _state = state;

    /// <summary>A generator for one query: the run's seed mixed with the session's clicks, so the
    /// same session always draws the same sample, whichever thread scores it and in what order.</summary>
    public static StableRandom For(long seed, ReadOnlySpan<int> clicks)
    {
        ulong h = Mix((ulong)seed ^ 0x9E3779B97F4A7C15UL);
        foreach (int item in clicks) h = Mix(h ^ (uint)item);
        return new StableRandom(h);
    }

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, bound) (Lemire's multiply-shift; the bias is below 2^-32 for our sizes).</summary>
    public int NextBelow(int bound) => (int)((Next() >> 32) * (ulong)bound >> 32);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

using Llm4Sbr.Core.Randomness;

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

/// <summary>The generator of one query's random candidate sample: the run's seed mixed with the
/// session's clicks, so the same session always draws the same sample, whichever thread scores it
/// and in what order.</summary>
internal static class CandidateDraws
{
    public static SplitMix64 For(long seed, ReadOnlySpan<int> clicks)
    {
        ulong h = SplitMix64.Mix((ulong)seed ^ SplitMix64.Gamma);
        foreach (int item in clicks) h = SplitMix64.Mix(h ^ (uint)item);
        return new SplitMix64(h);
    }
}

namespace Llm4Sbr.Core.Randomness;

/// <summary>SplitMix64 (Steele, Lea and Flood; Vigna's reference constants): a tiny, fast
/// generator whose sequence is fixed by its state on every platform and runtime version (unlike
/// <see cref="System.Random"/>, whose seeded sequence is not guaranteed across .NET versions).
/// The one seeded generator of the project: epoch orders, validation carving, neighbour sampling.</summary>
public struct SplitMix64(ulong state)
{
    /// <summary>The golden-ratio increment added to the state at every draw.</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    ulong _state = state;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, bound) (Lemire's multiply-shift over the high 32 bits; the bias is
    /// below 2^-32 for the sizes used here).</summary>
    public int NextBelow(int bound) => (int)((Next() >> 32) * (ulong)bound >> 32);

    /// <summary>SplitMix64's finaliser: a bijective mix of 64 bits, also usable to hash seeds.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

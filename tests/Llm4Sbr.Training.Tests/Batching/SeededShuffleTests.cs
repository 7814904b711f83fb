using Llm4Sbr.Training.Batching;
using Xunit;

namespace Llm4Sbr.Training.Tests.Batching;

/// <summary>The permutations that decide validation carving and epoch order, pinned: a change of
/// generator must leave every seeded run's order (and so its metrics) as it was.</summary>
public sealed class SeededShuffleTests
{
    [Fact]
    public void Permutations_are_the_ones_every_seeded_run_has_used()
    {
        Assert.Equal([1, 9, 3, 5, 0, 8, 10, 6, 11, 4, 2, 7], SeededShuffle.Permutation(12, 42));
        Assert.Equal([3, 0, 4, 2, 1, 6, 7, 8, 11, 5, 9, 10], SeededShuffle.Permutation(12, 42, 3));
        Assert.Equal([2, 1, 3, 6, 4, 0, 5], SeededShuffle.Permutation(7, ulong.MaxValue - 4, 1));
    }
}

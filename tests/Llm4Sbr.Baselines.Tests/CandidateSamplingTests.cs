using Xunit;

namespace Llm4Sbr.Baselines.Tests;

/// <summary>The draws behind random candidate sampling (SKNN family), pinned: a change of generator
/// must leave every sampled neighbourhood, and so every metric, as it was.</summary>
public sealed class CandidateSamplingTests
{
    [Fact]
    public void A_query_draws_the_sequence_every_seeded_run_has_drawn()
    {
        var random = CandidateDraws.For(7, [3, 1, 4]);
        Assert.Equal([0x2d8fd2207441070cUL, 0xdc3e98648d85f148UL, 0xd0a32efee3468a65UL, 0xda6fe3ac7753aaafUL],
            new[] { random.Next(), random.Next(), random.Next(), random.Next() });

        var bounded = CandidateDraws.For(-3, [10, 20]);
        Assert.Equal([0, 1, 4, 92, 1530707291],
            new[] { 1, 2, 10, 1000, int.MaxValue }.Select(b => bounded.NextBelow(b)));
    }
}

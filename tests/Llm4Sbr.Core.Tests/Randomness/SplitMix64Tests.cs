using Llm4Sbr.Core.Randomness;

namespace Llm4Sbr.Core.Tests.Randomness;

public sealed class SplitMix64Tests
{
    [Fact]
    public void From_state_zero_it_draws_the_reference_implementations_first_outputs()
    {
        // Vigna's splitmix64.c seeded with 0.
        var random = new SplitMix64(0);
        Assert.Equal([0xE220A8397B1DCDAFUL, 0x6E789E6AA1B965F4UL, 0x06C45D188009454FUL],
            new[] { random.Next(), random.Next(), random.Next() });
    }

    [Fact]
    public void Bounded_draws_stay_below_their_bound()
    {
        var random = new SplitMix64(42);
        foreach (var bound in new[] { 1, 2, 3, 10, 1000, int.MaxValue })
            for (int i = 0; i < 100; i++)
                Assert.InRange(random.NextBelow(bound), 0, bound - 1);
    }
}

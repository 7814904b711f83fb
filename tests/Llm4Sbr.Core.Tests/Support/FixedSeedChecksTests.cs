using System.Text.RegularExpressions;
using CsCheck;

namespace Llm4Sbr.Core.Tests.Support;

/// <summary>The fixed-seed runner every property test uses: same cases every run, failures shrunk.</summary>
public sealed class FixedSeedChecksTests
{
    static readonly Gen<int> Large = Gen.Int[0, 1_000_000];

    [Fact]
    public void Every_run_checks_the_same_cases()
    {
        var first = new List<int>();
        var second = new List<int>();
        Large.CheckFixed(first.Add, iter: 20);
        Large.CheckFixed(second.Add, iter: 20);
        Assert.Equal(first, second);
        Assert.Equal(Large.Generate(FixedSeedChecks.Pcg(0), null, out _), first[0]);
    }

    [Fact]
    public void A_failing_case_arrives_shrunk_by_csCheck_with_the_seed_that_reruns_it()
    {
        var original = Large.Generate(FixedSeedChecks.Pcg(0), null, out _);
        Assert.True(original > 100_000); // case 0 fails, far from the boundary

        var failure = Assert.Throws<Xunit.Sdk.XunitException>(() => Large.CheckFixed(x => Assert.True(x < 10)));

        Assert.Contains($"property failed at case 0 (seed \"{FixedSeedChecks.Seed(0)}\") for {original}", failure.Message);
        var shrunk = int.Parse(Regex.Match(failure.Message, @"shrunk to (\d+)").Groups[1].Value);
        Assert.InRange(shrunk, 10, original - 1);
    }

    [Fact]
    public async Task An_asynchronous_property_is_shrunk_too()
    {
        var failure = await Assert.ThrowsAsync<Xunit.Sdk.XunitException>(() =>
            Large.CheckFixedAsync(async x => { await Task.Yield(); Assert.True(x < 10); }));

        var shrunk = int.Parse(Regex.Match(failure.Message, @"shrunk to (\d+)").Groups[1].Value);
        Assert.InRange(shrunk, 10, Large.Generate(FixedSeedChecks.Pcg(0), null, out _) - 1);
    }
}

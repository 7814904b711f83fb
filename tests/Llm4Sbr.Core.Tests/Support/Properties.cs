using CsCheck;
using Xunit.Sdk;

namespace Llm4Sbr.Core.Tests.Support;

/// <summary>Runs a CsCheck property over a fixed series of seeds, so every run checks the same
/// cases (the team's tests are deterministic). A failure names its seed; pass it to
/// <c>gen.Sample(check, seed: "...")</c> to replay and shrink it.</summary>
public static class Properties
{
    public static void ForAll<T>(Gen<T> gen, Action<T> check, int iterations = 200, uint stream = 17)
    {
        for (var i = 0; i < iterations; i++)
        {
            var pcg = new PCG(stream, (ulong)i * 0x9E3779B97F4A7C15UL + 1);
            var seed = pcg.ToString();
            var value = gen.Generate(pcg, null, out _);
            try
            {
                check(value);
            }
            catch (Exception e)
            {
                throw new XunitException($"property failed at seed {seed}: {e.Message}", e);
            }
        }
    }
}

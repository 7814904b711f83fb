using CsCheck;

namespace Llm4Sbr.Core.Tests.Support;

/// <summary>Runs a CsCheck property over a fixed series of seeds, so every run checks the same
/// cases (the team's tests are deterministic): <see cref="FixedSeedChecks"/>, shared by every test project.</summary>
public static class Properties
{
    public static void ForAll<T>(Gen<T> gen, Action<T> check, int iterations = 200) => gen.CheckFixed(check, iterations);
}

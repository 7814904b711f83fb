// Linked into every test project that uses CsCheck (see its .csproj).
namespace CsCheck;

/// <summary>Property checks over a fixed series of seeds, so that every test run checks the same
/// cases (the team's tests are deterministic; CsCheck's <c>Sample</c> draws fresh seeds each run).
/// A failure names the case number and the value; <c>gen.Generate(FixedSeedChecks.Pcg(n), ...)</c>
/// rebuilds it.</summary>
public static class FixedSeedChecks
{
    public const int DefaultCases = 100;

    /// <summary>The generator state of case <paramref name="n"/>.</summary>
    public static PCG Pcg(int n) => new(17, (ulong)n * 0x9E3779B97F4A7C15UL + 1);

    public static void CheckFixed<T>(this Gen<T> gen, Action<T> assert, int iter = DefaultCases)
    {
        for (int n = 0; n < iter; n++)
        {
            var value = gen.Generate(Pcg(n), null, out _);
            try
            {
                assert(value);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"property failed at case {n} for {Show(value)}: {e.Message}", e);
            }
        }
    }

    public static void CheckFixed<T>(this Gen<T> gen, Func<T, bool> predicate, int iter = DefaultCases) =>
        gen.CheckFixed(value => { if (!predicate(value)) throw new Xunit.Sdk.XunitException("predicate was false"); }, iter);

    public static void CheckFixed<T1, T2>(this Gen<(T1, T2)> gen, Action<T1, T2> assert, int iter = DefaultCases) =>
        gen.CheckFixed(t => assert(t.Item1, t.Item2), iter);

    public static void CheckFixed<T1, T2, T3>(this Gen<(T1, T2, T3)> gen, Action<T1, T2, T3> assert, int iter = DefaultCases) =>
        gen.CheckFixed(t => assert(t.Item1, t.Item2, t.Item3), iter);

    public static void CheckFixed<T1, T2, T3, T4>(this Gen<(T1, T2, T3, T4)> gen, Action<T1, T2, T3, T4> assert, int iter = DefaultCases) =>
        gen.CheckFixed(t => assert(t.Item1, t.Item2, t.Item3, t.Item4), iter);

    static string Show<T>(T value)
    {
        var text = value is System.Collections.IEnumerable e and not string
            ? "[" + string.Join(", ", e.Cast<object?>().Take(20)) + "]"
            : value?.ToString() ?? "null";
        return text.Length > 300 ? text[..300] + "..." : text;
    }
}

// Linked into every test project that uses CsCheck (see its .csproj).
namespace CsCheck;

/// <summary>Property checks over a fixed series of seeds, so that every test run checks the same
/// cases (the team's tests are deterministic; CsCheck's <c>Sample</c> draws fresh seeds each run),
/// with CsCheck's shrinking kept: the first failing case is handed to <c>Sample</c> as its seed,
/// which reruns it and searches for smaller failing cases. The failure names the case number, its
/// seed, the value, and the smallest failing value found. Whether a test passes depends only on
/// the fixed cases; the search runs only once one of them has failed.</summary>
public static class FixedSeedChecks
{
    public const int DefaultCases = 100;

    /// <summary>How many cases CsCheck may try while shrinking a failure.</summary>
    public const int ShrinkIterations = 1000;

    /// <summary>The generator state of case <paramref name="n"/>.</summary>
    public static PCG Pcg(int n) => new(17, (ulong)n * 0x9E3779B97F4A7C15UL + 1);

    /// <summary>The seed string of case <paramref name="n"/>: <c>Sample(..., seed: Seed(n))</c> reruns it.</summary>
    public static string Seed(int n) => Pcg(n).ToString();

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
                var smallest = value;
                Exception? shrunk = null;
                try
                {
                    gen.Sample(v =>
                    {
                        try { assert(v); }
                        catch { smallest = v; throw; } // CsCheck only runs cases smaller than its smallest failure
                    }, seed: Seed(n), iter: ShrinkIterations, threads: 1);
                }
                catch (Exception found)
                {
                    shrunk = found;
                }
                throw Failure(n, value, e, smallest, shrunk);
            }
        }
    }

    public static async Task CheckFixedAsync<T>(this Gen<T> gen, Func<T, Task> assert, int iter = DefaultCases)
    {
        for (int n = 0; n < iter; n++)
        {
            var value = gen.Generate(Pcg(n), null, out _);
            try
            {
                await assert(value);
            }
            catch (Exception e)
            {
                var smallest = value;
                Exception? shrunk = null;
                try
                {
                    await gen.SampleAsync(async v =>
                    {
                        try { await assert(v); }
                        catch { smallest = v; throw; }
                    }, seed: Seed(n), iter: ShrinkIterations, threads: 1);
                }
                catch (Exception found)
                {
                    shrunk = found;
                }
                throw Failure(n, value, e, smallest, shrunk);
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

    public static Task CheckFixedAsync<T1, T2>(this Gen<(T1, T2)> gen, Func<T1, T2, Task> assert, int iter = DefaultCases) =>
        gen.CheckFixedAsync(t => assert(t.Item1, t.Item2), iter);

    static Xunit.Sdk.XunitException Failure<T>(int n, T value, Exception first, T smallest, Exception? shrunk)
    {
        var message = $"property failed at case {n} (seed \"{Seed(n)}\") for {Show(value)}: {first.Message}";
        message += shrunk is null
            ? "\nCsCheck found no failure when it reran this seed: the property is not deterministic in its input."
            : $"\nshrunk to {Show(smallest)}\n{shrunk.Message}";
        return new Xunit.Sdk.XunitException(message, shrunk ?? first);
    }

    static string Show<T>(T value)
    {
        var text = value is System.Collections.IEnumerable e and not string
            ? "[" + string.Join(", ", e.Cast<object?>().Take(20)) + "]"
            : value?.ToString() ?? "null";
        return text.Length > 300 ? text[..300] + "..." : text;
    }
}

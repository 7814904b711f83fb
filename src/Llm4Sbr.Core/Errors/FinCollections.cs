using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;

namespace Llm4Sbr.Core.Errors;

/// <summary>Traversal of results that may fail: every value, in order, or the first failure.</summary>
public static class FinCollections
{
    /// <summary>All the values in order, or the first failure. It stops at that failure, so a lazy
    /// <paramref name="items"/> computes nothing after it (a loop rather than a fold for that reason).</summary>
    public static Fin<ImmutableArray<T>> AllOrFirstError<T>(this IEnumerable<Fin<T>> items)
    {
        var values = ImmutableArray.CreateBuilder<T>();
        foreach (var item in items)
        {
            var failure = item.Match(Succ: value => { values.Add(value); return null; }, Fail: error => (Error?)error);
            if (failure is not null) return failure;
        }
        return values.ToImmutable();
    }

    /// <summary>Runs <paramref name="step"/> over the items one after another (each may await), and
    /// returns all the values in order, or the first failure: no step runs after it.</summary>
    public static async Task<Fin<ImmutableArray<TOut>>> AllOrFirstErrorAsync<TIn, TOut>(
        this IEnumerable<TIn> items, Func<TIn, int, Task<Fin<TOut>>> step)
    {
        var values = ImmutableArray.CreateBuilder<TOut>();
        var index = 0;
        foreach (var item in items)
        {
            var failure = (await step(item, index++)).Match(Succ: value => { values.Add(value); return null; }, Fail: error => (Error?)error);
            if (failure is not null) return failure;
        }
        return values.ToImmutable();
    }
}

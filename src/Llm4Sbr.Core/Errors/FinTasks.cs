using LanguageExt;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Errors;

/// <summary><c>Bind</c> and <c>Map</c> for steps that await. language-ext v4 composes <see cref="Fin{A}"/>
/// only with synchronous functions, and the imperative shell (the CLI, the benchmarks) reads files and
/// runs stages between its checks: with these, such a flow reads like the synchronous one and stops at
/// the first failed step, whose error it returns as is.</summary>
public static class FinTasks
{
    public static Task<Fin<B>> BindAsync<A, B>(this Fin<A> fin, Func<A, Task<Fin<B>>> next) =>
        fin.Match(Succ: next, Fail: error => Task.FromResult(FinFail<B>(error)));

    public static async Task<Fin<B>> BindAsync<A, B>(this Task<Fin<A>> fin, Func<A, Task<Fin<B>>> next) =>
        await (await fin).BindAsync(next);

    public static async Task<Fin<B>> MapAsync<A, B>(this Fin<A> fin, Func<A, Task<B>> next) =>
        await fin.Match(Succ: async value => FinSucc(await next(value)), Fail: error => Task.FromResult(FinFail<B>(error)));
}

using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Tests.Errors;

/// <summary>The helpers that compose results which may fail: they stop at the first failure and return
/// its error as is.</summary>
public sealed class FinCompositionTests
{
    static Error ErrorOf<T>(Fin<T> fin) => fin.Match(_ => throw new InvalidOperationException("expected a failure"), e => e);

    [Fact]
    public void AllOrFirstError_keeps_the_order_and_computes_nothing_after_the_first_failure()
    {
        var computed = new List<int>();
        Fin<int> Step(int i)
        {
            computed.Add(i);
            return i == 2 ? Error.New("two fails") : FinSucc(i * 10);
        }

        Assert.Equal([0, 10, 20], Enumerable.Range(0, 3).Select(i => FinSucc(i * 10)).AllOrFirstError().Match(v => v.ToArray(), _ => []));
        Assert.Equal("two fails", ErrorOf(Enumerable.Range(0, 5).Select(Step).AllOrFirstError()).Message);
        Assert.Equal([0, 1, 2], computed);
    }

    [Fact]
    public async Task AllOrFirstErrorAsync_runs_the_steps_one_after_another_and_stops_at_the_first_failure()
    {
        var started = new List<int>();
        async Task<Fin<string>> Step(string item, int index)
        {
            started.Add(index);
            await Task.Yield();
            return item == "bad" ? Error.New($"item {index} is bad") : FinSucc(item.ToUpperInvariant());
        }

        var all = await new[] { "a", "b" }.AllOrFirstErrorAsync(Step);
        Assert.Equal(["A", "B"], all.Match(v => v.ToArray(), _ => []));

        started.Clear();
        var failed = await new[] { "a", "bad", "c" }.AllOrFirstErrorAsync(Step);
        Assert.Equal("item 1 is bad", ErrorOf(failed).Message);
        Assert.Equal([0, 1], started);
    }

    [Fact]
    public async Task BindAsync_runs_the_next_step_only_after_a_success_and_keeps_the_error_as_is()
    {
        var error = Error.New(7, "first step failed");
        var ran = false;
        Task<Fin<int>> Next(int value)
        {
            ran = true;
            return Task.FromResult(FinSucc(value + 1));
        }

        Assert.Equal(2, (await FinSucc(1).BindAsync(Next)).Match(v => v, _ => 0));
        Assert.True(ran);

        ran = false;
        Assert.Same(error, ErrorOf(await FinFail<int>(error).BindAsync(Next)));
        Assert.Same(error, ErrorOf(await Task.FromResult(FinFail<int>(error)).BindAsync(Next)));
        Assert.False(ran);
    }

    [Fact]
    public async Task MapAsync_maps_a_success_and_passes_a_failure_through()
    {
        Assert.Equal("1!", (await FinSucc(1).MapAsync(async v => { await Task.Yield(); return $"{v}!"; })).Match(v => v, _ => ""));
        Assert.Equal("no", ErrorOf(await FinFail<int>(Error.New("no")).MapAsync(v => Task.FromResult(v))).Message);
    }

    [Fact]
    public void Prefixed_says_where_a_failure_happened_and_leaves_a_success_alone()
    {
        Assert.Equal("model 'x': bad key", ErrorOf(FinFail<int>(Error.New("bad key")).Prefixed("model 'x'")).Message);
        Assert.Equal(3, FinSucc(3).Prefixed("model 'x'").Match(v => v, _ => 0));
    }
}

using System.Collections.Concurrent;

namespace Llm4Sbr.Baselines;

/// <summary>Reusable per-call working memory for thread-safe scorers: each concurrent call rents
/// its own instance, so at most one per worker thread is ever created.</summary>
internal sealed class ScratchPool<T>(Func<T> create) where T : class
{
    private readonly ConcurrentBag<T> _free = [];

    public T Rent() => _free.TryTake(out var item) ? item : create();

    public void Return(T item) => _free.Add(item);
}

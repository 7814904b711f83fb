namespace Llm4Sbr.Core.Reporting;

/// <summary>An <see cref="IProgress{T}"/> that calls <paramref name="report"/> at once, on the
/// reporting thread and in order. <see cref="Progress{T}"/> posts to a synchronization context
/// instead, so its reports can arrive late, out of order, or after the work has finished; every
/// adapter between a library's progress and its consumer (the engine's events, the CLI's bars,
/// tests that collect reports) is this one.</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

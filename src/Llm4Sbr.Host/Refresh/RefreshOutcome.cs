namespace Llm4Sbr.Host.Refresh;

/// <summary>One pipeline's refresh: how many stages were recomputed and how many were already cached,
/// or the error that stopped it.</summary>
public sealed record RefreshOutcome(string Pipeline, bool Succeeded, int Computed, int Cached, double Seconds, string? Error);

/// <summary>One nightly round over every configured pipeline.</summary>
public sealed record RefreshRound(DateTimeOffset StartedUtc, DateTimeOffset FinishedUtc, IReadOnlyList<RefreshOutcome> Pipelines)
{
    public bool Succeeded => Pipelines.All(p => p.Succeeded);
}

/// <summary>Refreshes one pipeline's stages up to a stage (the effect behind the service).</summary>
public interface IPipelineRefresher
{
    Task<RefreshOutcome> RefreshAsync(string pipeline, string until, CancellationToken cancellationToken);
}

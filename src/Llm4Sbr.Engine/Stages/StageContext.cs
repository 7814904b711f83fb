using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Engine.Stages;

/// <summary>What a running stage may use besides its inputs and configuration: a progress sink,
/// a logger, a cancellation token and a sink for its measurements (<see cref="Measurements"/>: kept
/// beside its output, never in it) and the memo of its parts (<see cref="Parts"/>: see
/// <see cref="IStageParts"/>). Effects (files, network, models, clocks) are not here: a stage
/// that needs one captures a small interface when its module builds it, at the edge.</summary>
public sealed record StageContext(IProgress<StageProgress> Progress, ILogger Logger, CancellationToken CancellationToken)
{
    public StageMeasurements Measurements { get; init; } = new();

    /// <summary>Where the stage's parts are memoized: the engine's store when the engine runs it.</summary>
    public IStageParts Parts { get; init; } = UnmemoizedParts.Instance;

    public static StageContext Silent(CancellationToken cancellationToken = default) =>
        new(new Progress<StageProgress>(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, cancellationToken);
}

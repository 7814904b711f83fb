using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Engine.Stages;

/// <summary>What a running stage may use besides its inputs and configuration: a progress sink,
/// a logger, a cancellation token and a sink for its measurements (<see cref="Measurements"/>: kept
/// beside its output, never in it). Effects (files, network, models, clocks) are not here: a stage
/// that needs one captures a small interface when its module builds it, at the edge.</summary>
public sealed record StageContext(IProgress<StageProgress> Progress, ILogger Logger, CancellationToken CancellationToken)
{
    public StageMeasurements Measurements { get; init; } = new();

    public static StageContext Silent(CancellationToken cancellationToken = default) =>
        new(new Progress<StageProgress>(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, cancellationToken);
}

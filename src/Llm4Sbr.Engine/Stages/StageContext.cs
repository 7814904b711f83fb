using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Engine.Stages;

/// <summary>What a running stage may use besides its inputs and configuration: a progress sink,
/// a logger and a cancellation token. Effects (files, network, models, clocks) are not here: a
/// stage that needs one captures a small interface when its module builds it, at the edge.</summary>
public sealed record StageContext(IProgress<StageProgress> Progress, ILogger Logger, CancellationToken CancellationToken)
{
    public static StageContext Silent(CancellationToken cancellationToken = default) =>
        new(new Progress<StageProgress>(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, cancellationToken);
}

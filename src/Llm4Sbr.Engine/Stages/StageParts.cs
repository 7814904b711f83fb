using System.Collections.Immutable;
using LanguageExt;

namespace Llm4Sbr.Engine.Stages;

/// <summary>A part of a stage's work memoized on its own key, so a stage that does several
/// independent expensive things (<c>train</c>: one fit per model and seed) reuses each one when the
/// stage as a whole must rerun (a model added to the list, a view changed that only some models read),
/// and an interrupted run resumes from the parts it finished.
/// <para>The part's key is its stage's name, <see cref="Version"/>, the codec's id and
/// <see cref="CanonicalConfig"/> only: the stage's inputs are not in it, so the configuration must
/// name everything the value depends on (in practice: fingerprints of the data the part reads, and
/// its settings).</para></summary>
/// <param name="Name">What the part is, for logs (e.g. <c>gru4rec seed 42</c>).</param>
/// <param name="Version">Bump when the computation of the part changes.</param>
/// <param name="CanonicalConfig">Canonical JSON of everything the value depends on.</param>
public sealed record StagePart(string Name, string Version, string CanonicalConfig);

/// <summary>A part's value and the measurements taken while computing it (wall times: kept beside
/// the value, never in it).</summary>
public sealed record PartResult<T>(T Value, ImmutableSortedDictionary<string, double> Measurements);

/// <summary>What <see cref="IStageParts.GetOrComputeAsync{T}"/> returns: the value, whether it was
/// reused from an earlier run, and the measurements of the run that computed it.</summary>
public sealed record PartOutcome<T>(T Value, bool Reused, ImmutableSortedDictionary<string, double> Measurements);

/// <summary>The engine's memo of stage parts, handed to a running stage in its
/// <see cref="StageContext"/>. It keeps parts in the same verified, atomic store as stage outputs.</summary>
public interface IStageParts
{
    /// <summary>The stored value of <paramref name="part"/> when a verified one exists; otherwise runs
    /// <paramref name="compute"/> and stores what it returns (a failure is not stored). Two processes
    /// asking for the same part at once compute it once: the second waits and reuses it.</summary>
    Task<Fin<PartOutcome<T>>> GetOrComputeAsync<T>(StagePart part, StageCodec<T> codec, Func<Fin<PartResult<T>>> compute, CancellationToken ct)
        where T : class;

    /// <summary>As above, handing <paramref name="compute"/> a scratch folder of the part's own (null when
    /// nothing is kept): what it writes there outlives a killed run, so the next run's computation of the
    /// same part can resume from it (a fit's epoch checkpoints); the folder is removed once the part is
    /// stored, and before a forced recomputation.</summary>
    Task<Fin<PartOutcome<T>>> GetOrComputeAsync<T>(StagePart part, StageCodec<T> codec, Func<string?, Fin<PartResult<T>>> compute, CancellationToken ct)
        where T : class;
}

/// <summary>No memo: every part is computed (a stage run outside the engine, a test).</summary>
public sealed class UnmemoizedParts : IStageParts
{
    public static UnmemoizedParts Instance { get; } = new();

    public Task<Fin<PartOutcome<T>>> GetOrComputeAsync<T>(StagePart part, StageCodec<T> codec, Func<Fin<PartResult<T>>> compute, CancellationToken ct)
        where T : class => GetOrComputeAsync(part, codec, _ => compute(), ct);

    public Task<Fin<PartOutcome<T>>> GetOrComputeAsync<T>(StagePart part, StageCodec<T> codec, Func<string?, Fin<PartResult<T>>> compute, CancellationToken ct)
        where T : class =>
        Task.FromResult(compute(null).Map(r => new PartOutcome<T>(r.Value, false, r.Measurements)));
}

using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Keys;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Graph;

/// <summary>Reads the content of a stage's external input (a source file) into a fingerprint for
/// its key. The edge: the default reads files and hashes them with SHA-256.</summary>
public interface IContentFingerprints
{
    Task<Fin<string>> FingerprintAsync(ExternalInput input, CancellationToken ct);
}

public sealed class FileFingerprints : IContentFingerprints
{
    public async Task<Fin<string>> FingerprintAsync(ExternalInput input, CancellationToken ct) =>
        File.Exists(input.Path)
            ? FinSucc(await FileHashing.Sha256Async(input.Path, ct).ConfigureAwait(false))
            : FinFail<string>(EngineErrors.SourceFileMissing(input.Location, input.DisplayPath, input.MissingHint));
}

/// <summary>Validates a pipeline's graph and the run's options and computes every selected stage's
/// key, before anything expensive runs. Source files missing are reported here, all at once. The readers
/// of a content-keyed stage (<see cref="StageKeying.ByOutput"/>) are keyed here when
/// <see cref="IOutputContents"/> knows its output (it is cached and not forced); otherwise their keys wait
/// for it to run (<see cref="PlannedStage.AwaitedOutputs"/>).</summary>
public static class PipelinePlanner
{
    /// <summary>Plans without looking into the cache: the readers of content-keyed stages wait for them.</summary>
    public static Task<Fin<PipelinePlan>> PlanAsync(
        PipelineDefinition pipeline, PlanOptions options, IContentFingerprints fingerprints, CancellationToken ct) =>
        PlanAsync(pipeline, options, fingerprints, NoOutputContents.Instance, ct);

    public static async Task<Fin<PipelinePlan>> PlanAsync(
        PipelineDefinition pipeline, PlanOptions options, IContentFingerprints fingerprints, IOutputContents contents, CancellationToken ct)
    {
        var ordered = PipelineGraph.Order(pipeline).Match(
            Succ: s => (Stages: s, Error: (Error?)null),
            Fail: e => (Stages: ImmutableArray<IStage>.Empty, Error: Errors.ValidationExtensions.Combined(e)));
        if (ordered.Error is { } graphError) return FinFail<PipelinePlan>(graphError);
        var stages = ordered.Stages;
        var names = stages.Select(s => s.Name).ToList();

        var optionErrors = new List<Error>();
        if (options.Until is { } until && !names.Contains(until))
            optionErrors.Add(EngineErrors.UnknownStage(options.UntilSource, until, names));
        foreach (var forced in options.ForceStages.Where(f => !names.Contains(f)))
            optionErrors.Add(EngineErrors.UnknownStage("--force", forced, names));
        if (optionErrors.Count > 0) return FinFail<PipelinePlan>(Errors.ValidationExtensions.Combined(optionErrors.ToSeq()));

        var selected = options.Until is { } u ? PipelineGraph.Ancestors(stages, u) : [.. names];
        // Forcing a stage the run leaves out would silently do nothing: say so instead.
        foreach (var forced in options.ForceStages.Where(f => !selected.Contains(f)))
            optionErrors.Add(Error.New(EngineErrors.UnknownStageCode,
                $"--force {forced}: stage '{forced}' is not part of this run (it runs the stages '{options.Until}' needs: {string.Join(", ", names.Where(selected.Contains))}); add --until {forced} to run it"));
        if (optionErrors.Count > 0) return FinFail<PipelinePlan>(Errors.ValidationExtensions.Combined(optionErrors.ToSeq()));
        var forcedSet = options.ForceStages
            .SelectMany(f => PipelineGraph.Descendants(stages, f))
            .ToImmutableHashSet();

        var chosen = stages.Where(s => selected.Contains(s.Name)).ToList();
        var planned = ImmutableArray.CreateBuilder<PlannedStage>();
        var missing = new List<Error>();
        foreach (var stage in chosen)
        {
            var hashes = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var input in stage.ExternalInputs)
            {
                var fingerprint = await fingerprints.FingerprintAsync(input, ct).ConfigureAwait(false);
                fingerprint.Match(Succ: h => hashes[input.Name] = h, Fail: missing.Add);
            }
            planned.Add(new PlannedStage(stage, hashes.ToImmutable(), forcedSet.Contains(stage.Name)));
        }
        if (missing.Count > 0)
            return FinFail<PipelinePlan>(Errors.ValidationExtensions.Combined(pipeline.Overrides.Relabel(missing.ToSeq(), pipeline.Source.DisplayPath)));
        return FinSucc(await KeyAsync(new PipelinePlan(pipeline, planned.ToImmutable()), contents, ct).ConfigureAwait(false));
    }

    /// <summary>Keys every stage of <paramref name="plan"/> in order, with the output hashes
    /// <paramref name="contents"/> knows of its content-keyed stages (a forced one's output is not known
    /// before it ran). <c>status</c> calls it with the cache.</summary>
    public static async Task<PipelinePlan> KeyAsync(PipelinePlan plan, IOutputContents contents, CancellationToken ct)
    {
        var known = new Dictionary<string, PlannedStage.InputFacts>();
        var keyed = ImmutableArray.CreateBuilder<PlannedStage>(plan.Stages.Length);
        foreach (var stage in plan.Stages)
        {
            var next = stage.KeyedFrom(name => known[name]);
            var content = next is { Stage.Keying: StageKeying.ByOutput, Key: { } key, Forced: false }
                ? await contents.ContentOfAsync(key, next.Name, ct).ConfigureAwait(false)
                : null;
            known[next.Name] = new(next.Stage, next.Key, content, next.AwaitedOutputs);
            keyed.Add(next);
        }
        return plan with { Stages = keyed.MoveToImmutable() };
    }

}

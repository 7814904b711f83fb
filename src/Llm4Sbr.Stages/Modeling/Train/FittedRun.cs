using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Train;

/// <summary>One neural fit, a model trained on one seed: what it adds to the <c>train</c> stage's
/// output (its run row, its epochs, its test ranks and its checkpoint files). The stage memoizes each
/// fit as a part (<see cref="IStageParts"/>), so a rerun of the stage refits only what changed.</summary>
public sealed record FittedRun(ModelRun Run, ImmutableArray<EpochRow> History, ImmutableArray<RankRow> Ranks, ImmutableArray<StoredFile> Files);

/// <summary>A <see cref="FittedRun"/> as files: the <c>train</c> stage's own tables (<see cref="TrainedModelsCodec"/>)
/// holding one run, with empty catalogue, baseline-session and facts tables (those belong to the stage).</summary>
public sealed class FittedRunCodec : StageCodec<FittedRun>
{
    public static FittedRunCodec Instance { get; } = new();

    static readonly TrainingFacts NoFacts = new(0, 0, 0, 0, 0, "", "", []);

    public override string Id => "fitted-run/1+" + TrainedModelsCodec.Instance.Id;

    public override ImmutableArray<TableDoc> Tables => TrainedModelsCodec.Instance.Tables;

    static TrainedModels AsModels(FittedRun fit) => new(NoFacts, [fit.Run], fit.History, fit.Ranks, [], [], fit.Files);

    public override Task<ImmutableArray<string>> WriteAsync(FittedRun value, string directory, CancellationToken cancellationToken) =>
        TrainedModelsCodec.Instance.WriteAsync(AsModels(value), directory, cancellationToken);

    public override async Task<Fin<FittedRun>> ReadAsync(string directory, CancellationToken cancellationToken) =>
        (await TrainedModelsCodec.Instance.ReadAsync(directory, cancellationToken).ConfigureAwait(false))
        .Bind(models => models.Runs.Length == 1
            ? FinSucc(new FittedRun(models.Runs[0], models.History, models.Ranks, models.Files))
            : FinFail<FittedRun>(EngineErrors.ParquetSchema(directory, $"a fitted run holds one run, this folder {models.Runs.Length}")));

    public override ImmutableSortedDictionary<string, long> RowCounts(FittedRun value) => TrainedModelsCodec.Instance.RowCounts(AsModels(value));
}

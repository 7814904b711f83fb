using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Data.Codecs;

namespace Llm4Sbr.Stages.Modeling.Graphs;

/// <summary>Parquet layout of <see cref="TrainingPart"/>: the training sessions (the columns of
/// <c>sessions</c>) and the training samples (those of <c>samples</c> without <c>part</c>: every row is a
/// training row), each in its stage's order. Its files are what <c>graphs</c> keys on, so they hold
/// nothing that a test session could change.</summary>
public sealed class TrainingPartCodec : StageCodec<TrainingPart>
{
    public static TrainingPartCodec Instance { get; } = new();

    static readonly ParquetTable<Session> SessionsTable = SessionSetCodec.SessionsTable("training_sessions.parquet",
        "The training sessions of split, in split's order.");

    static readonly ParquetTable<Sample> SamplesTable = new("training_samples.parquet",
        "The training samples of samples, in sample id order.",
        Col.Int64<Sample>("sample_id", "The sample's id in samples.", s => s.Id),
        Col.Int64<Sample>("session_id", "The training session it comes from.", s => s.SessionId),
        Col.Int32List<Sample>("prefix", "Item ids clicked so far, in order.", s => s.Prefix),
        Col.Int32<Sample>("target", "The next item.", s => s.Target));

    public override string Id => "training-part/1";
    public override ImmutableArray<TableDoc> Tables => [SessionsTable.Doc, SamplesTable.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(TrainingPart value, string directory, CancellationToken ct)
    {
        await SessionsTable.WriteAsync(directory, value.Sessions, ct).ConfigureAwait(false);
        await SamplesTable.WriteAsync(directory, value.Samples, ct).ConfigureAwait(false);
        return [SessionsTable.File, SamplesTable.File];
    }

    public override async Task<Fin<TrainingPart>> ReadAsync(string directory, CancellationToken ct)
    {
        var sessions = await SessionsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var samples = await SamplesTable.ReadAsync(directory, ct).ConfigureAwait(false);
        return from s in sessions
               from t in samples
               select new TrainingPart(SessionSetCodec.ToSessions(s), SampleSetCodec.ToSamples(t, Enumerable.Range(0, t.RowCount).ToArray(), SplitPart.Train));
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(TrainingPart value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("sessions", (long)value.Sessions.Length),
            KeyValuePair.Create("samples", (long)value.Samples.Length),
        ]);
}

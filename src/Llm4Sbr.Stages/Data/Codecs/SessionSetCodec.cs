using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Data.Codecs;

/// <summary>Parquet layout of the <c>sessions</c> stage's <see cref="SessionSet"/>.</summary>
public sealed class SessionSetCodec : StageCodec<SessionSet>
{
    public static SessionSetCodec Instance { get; } = new();

    internal static ParquetTable<Session> SessionsTable(string file, string description) => new(file, description,
        Col.Int64<Session>("session_id", "Ordinal of the session in canonical order (0..n-1).", s => s.Id),
        Col.Int64<Session>("session_key", "The source's session or user id.", s => s.Key),
        Col.Int64<Session>("bucket", "Time bucket floor(timestamp / bucket_seconds); 0 when not bucketed.", s => s.Bucket),
        Col.Int32List<Session>("items", "Item ids in click order.", s => s.Items));

    static readonly ParquetTable<Session> Sessions = SessionsTable("sessions.parquet", "Kept sessions in canonical order (by key, then bucket).");

    static readonly ParquetTable<SessionsReport> Report = new("sessions_report.parquet",
        "One row: what sessionization kept and dropped.",
        Col.Int64<SessionsReport>("input_events", "Interactions read.", r => r.InputEvents),
        Col.Int32<SessionsReport>("sessions_built", "Sessions before filtering.", r => r.SessionsBuilt),
        Col.Int32<SessionsReport>("dropped_short", "Dropped for being shorter than min_length.", r => r.DroppedShort),
        Col.Int32<SessionsReport>("dropped_rare_item", "Dropped for holding an item seen fewer than min_item_support times.", r => r.DroppedRareItem),
        Col.Int32<SessionsReport>("sessions_kept", "Sessions kept.", r => r.SessionsKept),
        Col.Int64<SessionsReport>("clicks", "Clicks in kept sessions.", r => r.Clicks),
        Col.Int32<SessionsReport>("items", "Distinct items in kept sessions.", r => r.Items));

    public override string Id => "session-set/1";
    public override ImmutableArray<TableDoc> Tables => [Sessions.Doc, Report.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(SessionSet value, string directory, CancellationToken ct)
    {
        await Sessions.WriteAsync(directory, value.Sessions, ct).ConfigureAwait(false);
        await Report.WriteAsync(directory, [value.Report], ct).ConfigureAwait(false);
        return [Sessions.File, Report.File];
    }

    public override async Task<Fin<SessionSet>> ReadAsync(string directory, CancellationToken ct)
    {
        var sessions = await Sessions.ReadAsync(directory, ct).ConfigureAwait(false);
        var report = await Report.ReadAsync(directory, ct).ConfigureAwait(false);
        return
            from s in sessions
            from r in report
            from _ in r.RowCount == 1 ? FinSucc(0) : FinFail<int>(EngineErrors.ParquetSchema(r.Path, $"expected one row, found {r.RowCount}"))
            select new SessionSet(ToSessions(s), new SessionsReport(
                r.Int64("input_events")[0], r.Int32("sessions_built")[0], r.Int32("dropped_short")[0],
                r.Int32("dropped_rare_item")[0], r.Int32("sessions_kept")[0], r.Int64("clicks")[0], r.Int32("items")[0]));
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(SessionSet value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("sessions", (long)value.Sessions.Length),
            KeyValuePair.Create("clicks", value.Sessions.Sum(s => (long)s.Items.Length)),
        ]);

    internal static ImmutableArray<Session> ToSessions(TableData t) => ToSessions(t, Enumerable.Range(0, t.RowCount));

    internal static ImmutableArray<Session> ToSessions(TableData t, IEnumerable<int> rows)
    {
        var (ids, keys, buckets, items) = (t.Int64("session_id"), t.Int64("session_key"), t.Int64("bucket"), t.Int32List("items"));
        return [.. rows.Select(i => new Session(ids[i], keys[i], buckets[i], items[i]))];
    }
}

using LanguageExt;
using LanguageExt.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>DHCN's item adjacency over the hypergraph of training sessions (xiaxin1998/DHCN
/// <c>util.py</c>: <c>data_masks</c> and <c>Data.__init__</c>): every session is a hyperedge over its
/// distinct items (incidence H, items x sessions, binary, as <c>np.unique</c> per session), and
/// A = D^-1 H B^-1 H^T with D the item degrees (sessions holding the item) and B the edge degrees
/// (distinct items of the session):
/// A[i, j] = sum over sessions s holding both i and j of 1 / (deg(i) |s|). Each row of an item that
/// occurs sums to 1; an item in no session has an empty row and column (scipy's products skip it).
/// The matrix is kept as sorted, duplicate-free COO triplets (row = dense index - 1, the item table's
/// row), in float32 as the reference hands it to torch (computed in double as scipy does).
/// <para>Which sessions: the reference passes the training inputs (every prefix of every training
/// session, without its target); the caller chooses. The reference's Nowplaying-only filter (entries
/// below 0.05 dropped) is not applied.</para></summary>
public sealed record DhcnAdjacency(int Items, long[] Rows, long[] Columns, float[] Values)
{
    public int Entries => Values.Length;

    /// <summary>The adjacency of <paramref name="sessions"/> (dense item indices 1..<paramref name="items"/>).
    /// Pure and deterministic (rows are built in parallel, each row's sums in session order). Fails, as
    /// a value, on an empty session or an index outside 1..items, naming the session's position.</summary>
    public static Fin<DhcnAdjacency> FromSessions(IReadOnlyList<IReadOnlyList<int>> sessions, int items) =>
        Incidence.Of(sessions, items).Map(incidence => Normalise(incidence, items));

    /// <summary>The [items, items] sparse COO float32 tensor on <paramref name="device"/>, what
    /// <see cref="DhcnBackbone"/> takes (entries sorted by row, then column, without duplicates).</summary>
    public Tensor ToTensor(Device? device = null)
    {
        using var scope = NewDisposeScope();
        var indices = stack([tensor(Rows, ScalarType.Int64), tensor(Columns, ScalarType.Int64)]);
        var matrix = sparse_coo_tensor(indices, tensor(Values, ScalarType.Float32), [Items, Items]);
        return (device is null || device.type == DeviceType.CPU ? matrix : matrix.to(device)).MoveToOuterDisposeScope();
    }

    /// <summary>The hypergraph's incidence in both directions: each session's distinct items in
    /// ascending order (<see cref="SessionItems"/> from <see cref="SessionStarts"/>[s]), and each item's
    /// sessions in ascending order (<see cref="ItemSessions"/> from <see cref="ItemStarts"/>[i], item row i).</summary>
    public sealed record Incidence(int[] SessionStarts, int[] SessionItems, int[] ItemStarts, int[] ItemSessions)
    {
        public int Sessions => SessionStarts.Length - 1;
        public ReadOnlySpan<int> ItemsOf(int session) => SessionItems.AsSpan(SessionStarts[session], SessionStarts[session + 1] - SessionStarts[session]);
        public ReadOnlySpan<int> SessionsOf(int itemRow) => ItemSessions.AsSpan(ItemStarts[itemRow], ItemStarts[itemRow + 1] - ItemStarts[itemRow]);

        /// <summary>The incidence of <paramref name="sessions"/>; items as table rows (dense index - 1).</summary>
        public static Fin<Incidence> Of(IReadOnlyList<IReadOnlyList<int>> sessions, int items)
        {
            var sessionStarts = new int[sessions.Count + 1];
            var sessionItems = new List<int>();
            var buffer = new List<int>();
            for (int s = 0; s < sessions.Count; s++)
            {
                buffer.Clear();
                foreach (int item in sessions[s])
                {
                    if (item < 1 || item > items)
                        return Error.New($"DHCN hypergraph: session {s} has item index {item}, outside 1..{items}");
                    buffer.Add(item - 1);
                }
                if (buffer.Count == 0) return Error.New($"DHCN hypergraph: session {s} is empty");
                buffer.Sort();
                for (int k = 0; k < buffer.Count; k++)
                    if (k == 0 || buffer[k] != buffer[k - 1]) sessionItems.Add(buffer[k]);
                sessionStarts[s + 1] = sessionItems.Count;
            }
            // Transpose by counting: item row -> its sessions, in session order.
            var itemStarts = new int[items + 1];
            foreach (int row in sessionItems) itemStarts[row + 1]++;
            for (int i = 0; i < items; i++) itemStarts[i + 1] += itemStarts[i];
            var itemSessions = new int[sessionItems.Count];
            var next = itemStarts[..items];
            for (int s = 0; s < sessions.Count; s++)
                for (int k = sessionStarts[s]; k < sessionStarts[s + 1]; k++)
                    itemSessions[next[sessionItems[k]]++] = s;
            return new Incidence(sessionStarts, [.. sessionItems], itemStarts, itemSessions);
        }
    }

    /// <summary>D^-1 H B^-1 H^T, row by row (Gustavson's product: a dense accumulator per row).</summary>
    private static DhcnAdjacency Normalise(Incidence h, int items)
    {
        var rowColumns = new int[items][];
        var rowValues = new double[items][];
        Parallel.For(0, items, () => (Sums: new double[items], Touched: new List<int>()), (i, _, scratch) =>
        {
            var sessions = h.SessionsOf(i);
            if (sessions.Length == 0) { rowColumns[i] = []; rowValues[i] = []; return scratch; }
            double itemWeight = 1.0 / sessions.Length;                               // D^-1
            foreach (int s in sessions)
            {
                var members = h.ItemsOf(s);
                double weight = itemWeight * (1.0 / members.Length);                 // B^-1
                foreach (int j in members)
                {
                    if (scratch.Sums[j] == 0) scratch.Touched.Add(j);
                    scratch.Sums[j] += weight;
                }
            }
            scratch.Touched.Sort();
            rowColumns[i] = [.. scratch.Touched];
            rowValues[i] = [.. scratch.Touched.Select(j => scratch.Sums[j])];
            foreach (int j in scratch.Touched) scratch.Sums[j] = 0;
            scratch.Touched.Clear();
            return scratch;
        }, _ => { });
        long entries = rowColumns.Sum(c => (long)c.Length);
        var rows = new long[entries];
        var columns = new long[entries];
        var values = new float[entries];
        long at = 0;
        for (int i = 0; i < items; i++)
            for (int k = 0; k < rowColumns[i].Length; k++, at++)
            {
                rows[at] = i;
                columns[at] = rowColumns[i][k];
                values[at] = (float)rowValues[i][k];
            }
        return new DhcnAdjacency(items, rows, columns, values);
    }
}

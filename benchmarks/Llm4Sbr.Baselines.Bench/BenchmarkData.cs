using System.Collections.Immutable;
using System.Globalization;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Baselines.Bench;

/// <summary>A prepared dataset as the paper's protocol defines it.</summary>
internal sealed record PreparedDataset(
    string Name, ImmutableArray<Session> Train, ImmutableArray<Session> Test,
    ImmutableArray<Sample> TrainSamples, ImmutableArray<Sample> TestSamples, ItemVocabulary Vocabulary);

/// <summary>A small private loader for the two bundled datasets, so the benchmark does not wait for
/// the data stages (written in parallel). It follows the same protocols: sessions in canonical
/// order, the first floor(0.9 n) train.</summary>
internal static class BenchmarkData
{
    /// <summary>Amazon Beauty: one session per line of sessions.txt, ordered by session id; sessions
    /// shorter than 2 dropped; every prefix is a sample.</summary>
    public static PreparedDataset Beauty(string directory)
    {
        var path = Path.Combine(directory, "sessions.txt");
        var parsed = new List<(long Key, int[] Items)>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            var items = new int[fields.Length - 1];
            if (!long.TryParse(fields[0], CultureInfo.InvariantCulture, out long key))
                throw new FormatException($"{path}:{lineNumber}: field 'session_id': '{fields[0]}' is not an integer");
            for (int i = 1; i < fields.Length; i++)
                if (!int.TryParse(fields[i], CultureInfo.InvariantCulture, out items[i - 1]))
                    throw new FormatException($"{path}:{lineNumber}: field 'item {i}': '{fields[i]}' is not an integer");
            parsed.Add((key, items));
        }
        var sessions = parsed.Where(p => p.Items.Length >= 2).OrderBy(p => p.Key)
            .Select((p, i) => new Session(i, p.Key, 0, [.. p.Items])).ToImmutableArray();
        return Prepare("beauty", sessions, AllPrefixes);
    }

    /// <summary>MovieLens latest-small: a session is a user's ratings within one
    /// floor(timestamp / 600) bucket, ordered by (timestamp, item); sessions ordered by (user,
    /// bucket); item occurrences counted over all sessions once, then sessions holding an item seen
    /// fewer than 5 times, or shorter than 2, dropped; one sample per session (last item).</summary>
    public static PreparedDataset MovieLens(string directory)
    {
        var path = Path.Combine(directory, "ratings.csv");
        var events = new List<(long User, long Bucket, long Time, int Item)>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1) continue; // header
            var f = line.Split(',');
            if (f.Length != 4 || !long.TryParse(f[0], CultureInfo.InvariantCulture, out long user)
                || !int.TryParse(f[1], CultureInfo.InvariantCulture, out int item)
                || !long.TryParse(f[3], CultureInfo.InvariantCulture, out long time))
                throw new FormatException($"{path}:{lineNumber}: expected userId,movieId,rating,timestamp, got '{line}'");
            events.Add((user, time / 600, time, item));
        }
        var grouped = events.GroupBy(e => (e.User, e.Bucket)).OrderBy(g => g.Key.User).ThenBy(g => g.Key.Bucket)
            .Select(g => (g.Key.User, g.Key.Bucket, Items: g.OrderBy(e => e.Time).ThenBy(e => e.Item).Select(e => e.Item).ToArray()))
            .ToList();
        var support = new Dictionary<int, int>();
        foreach (var g in grouped) foreach (int item in g.Items) support[item] = support.GetValueOrDefault(item) + 1;
        var sessions = grouped.Where(g => g.Items.Length >= 2 && g.Items.All(i => support[i] >= 5))
            .Select((g, i) => new Session(i, g.User, g.Bucket, [.. g.Items])).ToImmutableArray();
        return Prepare("movielens-small", sessions, LastItem);
    }

    private static PreparedDataset Prepare(string name, ImmutableArray<Session> sessions, Func<Session, IEnumerable<(ImmutableArray<int>, int)>> sample)
    {
        int trainCount = (int)Math.Floor(0.9 * sessions.Length);
        var train = sessions[..trainCount];
        var test = sessions[trainCount..];
        long id = 0;
        var trainSamples = train.SelectMany(s => sample(s).Select(p => new Sample(id++, s.Id, SplitPart.Train, p.Item1, p.Item2))).ToImmutableArray();
        var testSamples = test.SelectMany(s => sample(s).Select(p => new Sample(id++, s.Id, SplitPart.Test, p.Item1, p.Item2))).ToImmutableArray();
        return new PreparedDataset(name, train, test, trainSamples, testSamples, ItemVocabulary.FromSessions(sessions));
    }

    private static IEnumerable<(ImmutableArray<int>, int)> AllPrefixes(Session s) =>
        Enumerable.Range(1, s.Items.Length - 1).Select(i => (s.Items[..i], s.Items[i]));

    private static IEnumerable<(ImmutableArray<int>, int)> LastItem(Session s) => [(s.Items[..^1], s.Items[^1])];
}

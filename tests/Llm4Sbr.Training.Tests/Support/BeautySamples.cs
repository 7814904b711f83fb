using System.Collections.Immutable;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Training.Tests.Support;

/// <summary>A private stand-in for the data stages (sessions, split, samples) until they land: the
/// Beauty protocol on data/amazon-beauty/sessions.txt. Sessions ordered by session id, sessions shorter
/// than 2 dropped, the first floor(0.9 n) train, every prefix a sample (158,139 train / 18,000 test).</summary>
public static class BeautySamples
{
    public sealed record Prepared(ImmutableArray<Sample> Train, ImmutableArray<Sample> Test, ItemVocabulary Vocabulary, int Sessions);

    public static string SessionsPath()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", "amazon-beauty", "sessions.txt");
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException($"data/amazon-beauty/sessions.txt not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}");
    }

    /// <summary>Loads Beauty; <paramref name="maxSessions"/> keeps only the first sessions (after the
    /// length filter), for small test runs.</summary>
    public static Prepared Load(int? maxSessions = null, string? path = null)
    {
        path ??= SessionsPath();
        var sessions = File.ReadLines(path)
            .Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray())
            .Select(f => (Id: (long)f[0], Items: f[1..]))
            .Where(s => s.Items.Length >= 2)
            .OrderBy(s => s.Id)
            .Take(maxSessions ?? int.MaxValue)
            .ToArray();
        int trainSessions = (int)Math.Floor(0.9 * sessions.Length);
        var vocabulary = ItemVocabulary.FromIds(sessions.SelectMany(s => s.Items));
        long nextId = 0;
        ImmutableArray<Sample> Samples(IEnumerable<(long Id, int[] Items)> part, SplitPart kind) =>
        [
            .. part.SelectMany(s => Enumerable.Range(1, s.Items.Length - 1)
                .Select(i => new Sample(nextId++, s.Id, kind, [.. s.Items[..i]], s.Items[i])))
        ];
        var train = Samples(sessions.Take(trainSessions), SplitPart.Train);
        var test = Samples(sessions.Skip(trainSessions), SplitPart.Test);
        return new Prepared(train, test, vocabulary, sessions.Length);
    }
}

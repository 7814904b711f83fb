using System.Diagnostics;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Core.Tests.Support;
using Xunit.Abstractions;

namespace Llm4Sbr.Core.Tests.Integration;

/// <summary>The real stages on the bundled data, checked against the expected figures
/// (Beauty: the paper's Table 2). Timings go to the test output only; nothing asserts on them.</summary>
public class BundledDataTests(ITestOutputHelper output)
{
    private (LoadedData Data, SessionSet Sessions, DatasetSummary Summary) Prepare(
        string dataset, DatasetFormat format, string folder, ProtocolOptions protocol)
    {
        var files = DatasetDecoding.DefaultFiles(format, TestPaths.Data(folder));
        var clock = Stopwatch.StartNew();
        var data = FinAssert.Succ(DatasetFiles.Parse(files, new LoadOptions()));
        var loaded = clock.Elapsed;
        var sessions = Sessionizer.Run(data.Events, protocol.Sessionize);
        var sessionized = clock.Elapsed;
        var split = Splitter.Run(sessions.Sessions, protocol.Split);
        var samples = Sampler.Run(split, protocol.Sampling);
        var total = clock.Elapsed;
        output.WriteLine($"{dataset}: load {loaded.TotalMilliseconds:F0} ms, sessions {(sessionized - loaded).TotalMilliseconds:F0} ms, " +
                         $"split+samples {(total - sessionized).TotalMilliseconds:F0} ms, total {total.TotalMilliseconds:F0} ms");
        return (data, sessions, DatasetSummaries.Summarize(dataset, split, samples));
    }

    [Fact]
    public void Amazon_beauty_reproduces_the_papers_figures()
    {
        var (data, sessions, summary) = Prepare("amazon-beauty", DatasetFormat.AmazonSessions, "amazon-beauty", CanonicalProtocols.AmazonBeauty);

        Assert.Equal(
            new DatasetSummary("amazon-beauty", TrainSessions: 20126, TestSessions: 2237, TrainSamples: 158139, TestSamples: 18000, Items: 12101, Clicks: 198502),
            summary);
        Assert.Equal(12101, data.Items.Length);
        Assert.Equal(198502, data.Events.Length);
        Assert.Equal(7, data.Report.ItemsWithoutTitle);
        Assert.Equal(7, data.Items.Count(i => !i.HasTitle));
        Assert.Equal(0, data.Report.EventsWithUnknownItem);
        Assert.Equal(0, data.Report.LinesSkipped);
        Assert.Equal(22363 + 12102, data.Report.LinesRead);
        Assert.Equal(22363, sessions.Report.SessionsBuilt);
        Assert.Equal(22363, sessions.Report.SessionsKept);
    }

    [Fact]
    public void Movielens_small_reproduces_the_expected_figures()
    {
        var (data, sessions, summary) = Prepare("movielens-small", DatasetFormat.MovieLensCsv, "movielens-small", CanonicalProtocols.MovieLens);

        Assert.Equal(
            new DatasetSummary("movielens-small", TrainSessions: 3707, TestSessions: 412, TrainSamples: 3707, TestSamples: 412, Items: 3330, Clicks: 46633),
            summary);
        // The bundled ratings.csv ends with one line that is not GroupLens's (user 999 rating movie
        // 999999, which movies.csv does not list): the event is kept, the movie gets a placeholder,
        // and the one-click session it forms is dropped as too short, so the figures are unaffected.
        Assert.Equal(100837, data.Events.Length);
        Assert.Equal(1, data.Report.EventsWithUnknownItem);
        Assert.Equal(1, data.Report.UnknownItemIds);
        Assert.Equal(9742 + 1, data.Items.Length);
        Assert.Contains(new Item(999999, "item 999999", HasTitle: false), data.Items);
        Assert.Equal(0, data.Report.ItemsWithoutTitle);
        Assert.Equal(0, data.Report.LinesSkipped);
        Assert.Equal(sessions.Report.SessionsBuilt, sessions.Report.SessionsKept + sessions.Report.DroppedShort + sessions.Report.DroppedRareItem);
        Assert.Contains(data.Items, i => i.Title == "11'09\"01 - September 11 (2002)");
        Assert.Contains(data.Items, i => i.Title.Contains('é'));
    }
}

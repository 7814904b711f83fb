using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Core.Protocols;

/// <summary>The figures a prepared dataset is checked against (what <c>prepare --json</c> prints).</summary>
public static class DatasetSummaries
{
    /// <summary>Sessions and samples per part; <see cref="DatasetSummary.Items"/> = distinct items
    /// over the kept (train + test) sessions; <see cref="DatasetSummary.Clicks"/> = total items over
    /// them (repeats count).</summary>
    public static DatasetSummary Summarize(string dataset, SplitSet split, SampleSet samples)
    {
        long clicks = 0;
        var items = new HashSet<int>();
        foreach (var session in split.Train.Concat(split.Test))
        {
            clicks += session.Items.Length;
            foreach (var item in session.Items) items.Add(item);
        }
        return new DatasetSummary(dataset, split.Train.Length, split.Test.Length, samples.Train.Length, samples.Test.Length, items.Count, clicks);
    }
}

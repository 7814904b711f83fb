using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Loading;

namespace Llm4Sbr.Core.Protocols;

// Signatures agreed between the data and engine work; the data branch fills the bodies.
public static class Sessionizer
{
    public const string Version = "1";
    public static SessionSet Run(IReadOnlyList<Event> events, SessionizeOptions options) => throw new NotImplementedException();
}

public static class Splitter
{
    public const string Version = "1";
    public static SplitSet Run(IReadOnlyList<Session> sessions, SplitOptions options) => throw new NotImplementedException();
}

public static class Sampler
{
    public const string Version = "1";
    public static SampleSet Run(SplitSet split, SamplingOptions options) => throw new NotImplementedException();
}

public static class DatasetSummaries
{
    public static DatasetSummary Summarize(string dataset, SplitSet split, SampleSet samples) => throw new NotImplementedException();
}

namespace Llm4Sbr.Core.Protocols;

/// <summary>The options of the <c>sessions</c>, <c>split</c> and <c>samples</c> stages together.</summary>
public sealed record ProtocolOptions(SessionizeOptions Sessionize, SplitOptions Split, SamplingOptions Sampling);

/// <summary>The paper's own preprocessing, as configuration (pipeline files may restate or vary it).</summary>
public static class CanonicalProtocols
{
    /// <summary>Amazon Beauty: the user is the session, sessions shorter than 2 dropped, no item
    /// support filter, first 90% train, every prefix a sample.</summary>
    public static readonly ProtocolOptions AmazonBeauty = new(
        new SessionizeOptions(SessionGrouping.Key, BucketSeconds: 0, MinItemSupport: 0, MinLength: 2),
        new SplitOptions(0.9),
        new SamplingOptions(SamplingMode.AllPrefixes));

    /// <summary>MovieLens (small and 1M): a session is one user's ratings in one 10-minute bucket;
    /// sessions holding an item seen fewer than 5 times or shorter than 2 dropped; first 90% train;
    /// the last item of each session is its one label.</summary>
    public static readonly ProtocolOptions MovieLens = new(
        new SessionizeOptions(SessionGrouping.KeyAndTimeBucket, BucketSeconds: 600, MinItemSupport: 5, MinLength: 2),
        new SplitOptions(0.9),
        new SamplingOptions(SamplingMode.LastItem));
}

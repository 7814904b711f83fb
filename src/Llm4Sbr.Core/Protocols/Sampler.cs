using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Core.Protocols;

/// <summary>The <c>samples</c> stage: next-item examples from the split sessions.
/// <see cref="SamplingMode.AllPrefixes"/> gives a session of length L its L-1 prefixes
/// ([v1..vi] -> v(i+1)); <see cref="SamplingMode.LastItem"/> gives one sample
/// ([v1..v(L-1)] -> vL). A session shorter than 2 gives no sample in either mode (there is
/// nothing to predict from). Sample ids run 0.. over train then test, in session order, then by
/// prefix length.</summary>
public static class Sampler
{
    public const string Version = "1";

    public static Fin<SamplingOptions> Validate(SamplingOptions options) =>
        Enum.IsDefined(options.Mode)
            ? FinSucc(options)
            : FinFail<SamplingOptions>(DataErrors.InvalidOption("sampling", options.Mode, "one of " + string.Join(" | ", OptionNames.All<SamplingMode>())));

    /// <summary>Throws <see cref="ArgumentException"/> on options that <see cref="Validate"/> rejects.</summary>
    public static SampleSet Run(SplitSet split, SamplingOptions options)
    {
        Validate(options).ThrowIfInvalidOption(nameof(options));
        var train = Sample(split.Train, SplitPart.Train, options.Mode, firstId: 0);
        var test = Sample(split.Test, SplitPart.Test, options.Mode, firstId: train.Length);
        return new SampleSet(train, test);
    }

    /// <summary>How many samples a session of <paramref name="length"/> items gives.</summary>
    public static int SamplesPerSession(int length, SamplingMode mode) =>
        length < 2 ? 0 : mode == SamplingMode.AllPrefixes ? length - 1 : 1;

    private static ImmutableArray<Sample> Sample(ImmutableArray<Session> sessions, SplitPart part, SamplingMode mode, long firstId)
    {
        var total = 0;
        foreach (var session in sessions) total += SamplesPerSession(session.Items.Length, mode);

        var samples = ImmutableArray.CreateBuilder<Sample>(total);
        var id = firstId;
        foreach (var session in sessions)
        {
            var items = session.Items;
            if (items.Length < 2) continue;
            var firstPrefix = mode == SamplingMode.AllPrefixes ? 1 : items.Length - 1;
            for (var prefixLength = firstPrefix; prefixLength < items.Length; prefixLength++)
                samples.Add(new Sample(id++, session.Id, part, items.Slice(0, prefixLength), items[prefixLength]));
        }
        return samples.MoveToImmutable();
    }
}

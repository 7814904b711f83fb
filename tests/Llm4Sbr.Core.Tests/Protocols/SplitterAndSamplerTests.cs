using System.Collections.Immutable;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Core.Tests.Support;

namespace Llm4Sbr.Core.Tests.Protocols;

public class SplitterAndSamplerTests
{
    private static ImmutableArray<Session> SessionsOfLengths(params int[] lengths) =>
        [.. lengths.Select((length, i) => new Session(i, 100 + i, 0, [.. Enumerable.Range(10 * i + 1, length)]))];

    [Theory]
    [InlineData(22363, 0.9, 20126)]
    [InlineData(4119, 0.9, 3707)]
    [InlineData(10, 0.9, 9)]
    [InlineData(3, 0.5, 1)]
    [InlineData(1, 0.9, 0)]
    [InlineData(0, 0.9, 0)]
    public void The_first_floor_of_fraction_times_n_sessions_train(int count, double fraction, int train)
    {
        var sessions = SessionsOfLengths([.. Enumerable.Repeat(2, count)]);

        var split = Splitter.Run(sessions, new SplitOptions(fraction));

        Assert.Equal(train, split.Train.Length);
        Assert.Equal(count - train, split.Test.Length);
        Assert.Equal(sessions.ToArray(), split.Train.Concat(split.Test).ToArray());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_fraction_outside_zero_to_one_is_rejected(double fraction)
    {
        var error = FinAssert.Fail(Splitter.Validate(new SplitOptions(fraction)));

        Assert.Equal(ErrorCodes.InvalidOption, error.Code);
        Assert.Contains("train_fraction", error.Message);
        Assert.Throws<ArgumentException>(() => Splitter.Run(SessionsOfLengths(2, 2), new SplitOptions(fraction)));
    }

    [Fact]
    public void All_prefixes_gives_every_prefix_with_its_next_item_and_ids_run_over_train_then_test()
    {
        var split = new SplitSet(
            [new Session(0, 7, 0, [11, 12, 13])],
            [new Session(1, 8, 0, [21, 22]), new Session(2, 9, 0, [31])]);

        var samples = Sampler.Run(split, new SamplingOptions(SamplingMode.AllPrefixes));

        Assert.Equal(
            [(0L, 0L, SplitPart.Train, "11", 12), (1L, 0L, SplitPart.Train, "11,12", 13)],
            samples.Train.Select(s => (s.Id, s.SessionId, s.Part, string.Join(",", s.Prefix), s.Target)).ToArray());
        Assert.Equal(
            [(2L, 1L, SplitPart.Test, "21", 22)],
            samples.Test.Select(s => (s.Id, s.SessionId, s.Part, string.Join(",", s.Prefix), s.Target)).ToArray());
    }

    [Fact]
    public void Last_item_gives_one_sample_per_session_labelled_with_its_last_item()
    {
        var split = new SplitSet([new Session(0, 7, 0, [11, 12, 13]), new Session(1, 8, 0, [21, 22])], []);

        var samples = Sampler.Run(split, new SamplingOptions(SamplingMode.LastItem));

        Assert.Equal(
            [(0L, "11,12", 13), (1L, "21", 22)],
            samples.Train.Select(s => (s.Id, string.Join(",", s.Prefix), s.Target)).ToArray());
        Assert.Empty(samples.Test);
    }

    [Fact]
    public void An_undefined_sampling_mode_is_rejected_naming_the_valid_modes()
    {
        var error = FinAssert.Fail(Sampler.Validate(new SamplingOptions((SamplingMode)5)));

        Assert.Contains("all-prefixes | last-item", error.Message);
    }

    [Fact]
    public void The_summary_counts_sessions_samples_distinct_items_and_clicks()
    {
        var split = new SplitSet([new Session(0, 1, 0, [1, 2, 2])], [new Session(1, 2, 0, [2, 3])]);
        var samples = Sampler.Run(split, new SamplingOptions(SamplingMode.AllPrefixes));

        var summary = DatasetSummaries.Summarize("toy", split, samples);

        Assert.Equal(new DatasetSummary("toy", TrainSessions: 1, TestSessions: 1, TrainSamples: 2, TestSamples: 1, Items: 3, Clicks: 5), summary);
    }
}

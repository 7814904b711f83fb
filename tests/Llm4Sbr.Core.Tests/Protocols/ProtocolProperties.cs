using System.Collections.Immutable;
using CsCheck;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Core.Tests.Support;

namespace Llm4Sbr.Core.Tests.Protocols;

/// <summary>Property-based checks of the pure protocol stages (CsCheck generators, fixed seeds).</summary>
public class ProtocolProperties
{
    private static readonly Gen<Event> AnyEvent =
        Gen.Select(Gen.Long[0, 6], Gen.Int[0, 25], Gen.Long[-1500, 3000], (key, item, time) => new Event(key, item, time));

    private static readonly Gen<Event[]> Events = AnyEvent.Array[0, 80];

    /// <summary>Sessions of length 1..12 over a small item range, ids 0..n-1 in order.</summary>
    private static readonly Gen<ImmutableArray<Session>> Sessions =
        Gen.Int[0, 30].Array[1, 12].Array[0, 40].Select(lists =>
            lists.Select((items, i) => new Session(i, 1000 + i, 0, [.. items])).ToImmutableArray());

    private static readonly Gen<SessionizeOptions> Grouping =
        Gen.Select(Gen.Bool, Gen.Long[1, 700], Gen.Int[0, 4], Gen.Int[1, 3],
            (bucket, seconds, support, length) => new SessionizeOptions(
                bucket ? SessionGrouping.KeyAndTimeBucket : SessionGrouping.Key, seconds, support, length));

    [Fact]
    public void All_prefixes_yields_len_minus_one_samples_per_session_each_a_prefix_followed_by_its_target()
    {
        Properties.ForAll(Gen.Select(Sessions, Gen.Double[0.05, 0.95]), input =>
        {
            var (sessions, fraction) = input;
            var split = Splitter.Run(sessions, new SplitOptions(fraction));

            var samples = Sampler.Run(split, new SamplingOptions(SamplingMode.AllPrefixes));

            Assert.Equal(split.Train.Sum(s => s.Items.Length - 1), samples.Train.Length);
            Assert.Equal(split.Test.Sum(s => s.Items.Length - 1), samples.Test.Length);
            var byId = sessions.ToDictionary(s => s.Id);
            foreach (var sample in samples.Train.Concat(samples.Test))
            {
                var items = byId[sample.SessionId].Items;
                Assert.InRange(sample.Prefix.Length, 1, items.Length - 1);
                Assert.True(items.Take(sample.Prefix.Length).SequenceEqual(sample.Prefix));
                Assert.Equal(items[sample.Prefix.Length], sample.Target);
            }
            // Every (session, prefix length) exactly once, in session order then prefix length order.
            var expectedOrder = split.Train.Concat(split.Test)
                .SelectMany(s => Enumerable.Range(1, s.Items.Length - 1).Select(length => (s.Id, length)));
            Assert.Equal(expectedOrder, samples.Train.Concat(samples.Test).Select(s => (s.SessionId, s.Prefix.Length)));
            Assert.Equal(Enumerable.Range(0, samples.Train.Length + samples.Test.Length).Select(i => (long)i),
                samples.Train.Concat(samples.Test).Select(s => s.Id));
            Assert.All(samples.Train, s => Assert.Equal(SplitPart.Train, s.Part));
            Assert.All(samples.Test, s => Assert.Equal(SplitPart.Test, s.Part));
        });
    }

    [Fact]
    public void Last_item_yields_one_sample_per_session_of_two_or_more_items()
    {
        Properties.ForAll(Sessions, sessions =>
        {
            var split = Splitter.Run(sessions, new SplitOptions(0.9));

            var samples = Sampler.Run(split, new SamplingOptions(SamplingMode.LastItem));

            var eligible = split.Train.Concat(split.Test).Where(s => s.Items.Length >= 2).ToArray();
            var all = samples.Train.Concat(samples.Test).ToArray();
            Assert.Equal(eligible.Select(s => s.Id), all.Select(s => s.SessionId));
            foreach (var (session, sample) in eligible.Zip(all))
            {
                Assert.Equal(session.Items[^1], sample.Target);
                Assert.True(session.Items[..^1].SequenceEqual(sample.Prefix));
            }
        });
    }

    [Fact]
    public void Bucketing_keeps_every_event_exactly_once_and_in_timestamp_then_item_order()
    {
        Properties.ForAll(Gen.Select(Events, Grouping), input =>
        {
            var (events, options) = input;

            var sessions = Sessionizer.Build(events, options);

            // Oracle: a plain LINQ grouping of the same events.
            var expected = events
                .GroupBy(e => (e.SessionKey, Bucket: Sessionizer.BucketOf(e.Timestamp, options)))
                .OrderBy(g => g.Key.SessionKey).ThenBy(g => g.Key.Bucket)
                .Select(g => (g.Key.SessionKey, g.Key.Bucket, string.Join(",", g.OrderBy(e => e.Timestamp).ThenBy(e => e.ItemId).Select(e => e.ItemId))))
                .ToArray();
            Assert.Equal(expected, sessions.Select(s => (s.Key, s.Bucket, string.Join(",", s.Items))).ToArray());
            Assert.Equal(events.Length, sessions.Sum(s => s.Items.Length));
            Assert.Equal(Enumerable.Range(0, sessions.Length).Select(i => (long)i), sessions.Select(s => s.Id));
            if (options.Grouping == SessionGrouping.KeyAndTimeBucket)
            {
                foreach (var e in events)
                    Assert.InRange(e.Timestamp - Sessionizer.BucketOf(e.Timestamp, options) * options.BucketSeconds, 0, options.BucketSeconds - 1);
            }
        });
    }

    [Fact]
    public void Grouping_by_key_keeps_the_file_order_of_position_stamped_events()
    {
        // Amazon events carry their position as timestamp: sessions must come back in file order.
        Properties.ForAll(Gen.Int[0, 40].Array[1, 15].Array[0, 30], lines =>
        {
            var events = lines.SelectMany((items, key) => items.Select((item, position) => new Event(key, item, position))).ToArray();

            var sessions = Sessionizer.Build(events, new SessionizeOptions(SessionGrouping.Key, 0, 0, 1));

            Assert.Equal(lines.Select(l => string.Join(",", l)), sessions.Select(s => string.Join(",", s.Items)));
        });
    }

    [Fact]
    public void Filtering_with_fixed_counts_is_idempotent()
    {
        // With the counts fixed, a second pass keeps everything the first kept. (Recounting on the
        // output is a different operation and can drop more; the stage counts once, as the paper does.)
        Properties.ForAll(Gen.Select(Events, Grouping), input =>
        {
            var (events, options) = input;
            var built = Sessionizer.Build(events, options);
            var counts = Sessionizer.CountItems(built);

            var once = Sessionizer.Filter(built, counts, options);
            var twice = Sessionizer.Filter(once.Kept, counts, options);

            Assert.Equal(once.Kept, twice.Kept, SessionComparer.Instance);
            Assert.Equal(0, twice.DroppedShort + twice.DroppedRareItem);
            Assert.Equal(built.Length, once.Kept.Length + once.DroppedShort + once.DroppedRareItem);
            Assert.All(once.Kept, s =>
            {
                Assert.True(s.Items.Length >= options.MinLength);
                Assert.All(s.Items, item => Assert.True(counts[item] >= options.MinItemSupport));
            });
        });
    }

    [Fact]
    public void Train_and_test_are_disjoint_and_cover_every_kept_session_in_order()
    {
        Properties.ForAll(Gen.Select(Events, Grouping, Gen.Double[0.01, 0.99]), input =>
        {
            var (events, options, fraction) = input;
            var kept = Sessionizer.Run(events, options).Sessions;

            var split = Splitter.Run(kept, new SplitOptions(fraction));

            Assert.Empty(split.Train.Select(s => s.Id).Intersect(split.Test.Select(s => s.Id)));
            Assert.Equal(kept.Select(s => s.Id), split.Train.Concat(split.Test).Select(s => s.Id));
            Assert.Equal((int)Math.Floor(fraction * kept.Length), split.Train.Length);
        });
    }

    [Fact]
    public void The_sessions_report_agrees_with_the_kept_sessions()
    {
        Properties.ForAll(Gen.Select(Events, Grouping), input =>
        {
            var (events, options) = input;

            var set = Sessionizer.Run(events, options);

            Assert.Equal(events.Length, set.Report.InputEvents);
            Assert.Equal(set.Sessions.Length, set.Report.SessionsKept);
            Assert.Equal(set.Sessions.Sum(s => (long)s.Items.Length), set.Report.Clicks);
            Assert.Equal(set.Sessions.SelectMany(s => s.Items).Distinct().Count(), set.Report.Items);
            Assert.Equal(set.Report.SessionsBuilt, set.Report.SessionsKept + set.Report.DroppedShort + set.Report.DroppedRareItem);
        });
    }
}

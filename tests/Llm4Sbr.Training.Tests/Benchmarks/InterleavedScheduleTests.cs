using Llm4Sbr.Training.Benchmarks;
using Xunit;

namespace Llm4Sbr.Training.Tests.Benchmarks;

public class InterleavedScheduleTests
{
    [Fact]
    public void Rounds_alternate_the_subjects_order() =>
        Assert.Equal([(0, 0), (1, 0), (2, 0), (2, 1), (1, 1), (0, 1), (0, 2), (1, 2), (2, 2)],
            TrainingBenchmark.InterleavedSchedule([3, 3, 3]));

    [Theory]
    [InlineData(new[] { 5, 2, 0, 7 })]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 1582, 1582, 1582 })]
    public void Every_subject_gets_each_of_its_batches_once_in_order(int[] batches)
    {
        var schedule = TrainingBenchmark.InterleavedSchedule(batches).ToList();
        for (int subject = 0; subject < batches.Length; subject++)
            Assert.Equal(Enumerable.Range(0, batches[subject]), schedule.Where(t => t.Subject == subject).Select(t => t.Batch));
        Assert.Equal(batches.Sum(), schedule.Count);
    }

    [Fact]
    public void A_round_ends_before_the_next_begins()
    {
        var rounds = TrainingBenchmark.InterleavedSchedule([4, 2, 4]).Select(t => t.Batch).ToList();
        Assert.Equal(rounds.Order(), rounds);
    }

    [Fact]
    public void No_subjects_no_turns() => Assert.Empty(TrainingBenchmark.InterleavedSchedule([]));
}

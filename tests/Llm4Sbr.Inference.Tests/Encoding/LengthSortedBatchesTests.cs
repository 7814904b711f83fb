using CsCheck;
using Llm4Sbr.Inference.Encoding;
using Xunit;

namespace Llm4Sbr.Inference.Tests.Encoding;

public class LengthSortedBatchesTests
{
    [Fact]
    public void Every_sequence_lands_in_exactly_one_batch_within_the_limits_in_length_order()
    {
        var gen = from lengths in Gen.Int[1, 130].Array[0, 300]
                  from maxRows in Gen.Int[1, 70]
                  from maxTokens in Gen.Int[1, 2000]
                  select (lengths, maxRows, maxTokens);
        gen.CheckFixed(t =>
        {
            var (lengths, maxRows, maxTokens) = t;
            var batches = LengthSortedBatches.Plan(lengths, maxRows, maxTokens);
            Assert.Equal(Enumerable.Range(0, lengths.Length), batches.SelectMany(b => b).Order());
            foreach (var batch in batches)
            {
                Assert.NotEmpty(batch);
                Assert.True(batch.Length <= maxRows);
                Assert.True(batch.Length == 1 || batch.Length * batch.Max(i => lengths[i]) <= maxTokens);
            }
            var flat = batches.SelectMany(b => b).Select(i => lengths[i]).ToArray();
            Assert.Equal(flat.Order(), flat);
            // Greedy: a batch stops only when the next sequence would break a limit.
            for (int b = 0; b + 1 < batches.Length; b++)
            {
                int rows = batches[b].Length + 1;
                int next = lengths[batches[b + 1][0]];
                Assert.True(rows > maxRows || rows * next > maxTokens);
            }
        }, iter: 300);
    }
}

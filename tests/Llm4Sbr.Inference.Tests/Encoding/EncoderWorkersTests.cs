using Llm4Sbr.Inference.Encoding;
using Xunit;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Inference.Tests.Encoding;

/// <summary>Several forward passes at once (workers) change the speed, never the vectors.</summary>
public class EncoderWorkersTests
{
    private static ITextEncoder Create(int workers) =>
        TextEncoderFactory.Create(new EncoderOptions(BatchSize: 2, IntraOpThreads: 1, Workers: workers, Device: ExecutionDevice.Cpu))
            .Match(e => e, e => throw new InvalidOperationException(e.Message));

    [Fact]
    public void Three_workers_give_the_vectors_of_one_in_the_same_rows()
    {
        // BatchSize 2 cuts the titles into several batches, so the workers really share them.
        using var one = Create(1);
        using var three = Create(3);
        var texts = SampleTitles.All.Concat(SampleTitles.All.Select(t => t + " refill")).ToArray();
        var progress = new List<int>();

        var expected = one.Encode(texts);
        var actual = three.Encode(texts, new SynchronousProgress<int>(p => { lock (progress) progress.Add(p); }));

        Assert.Equal(one.ModelId, three.ModelId);
        for (int i = 0; i < texts.Length; i++)
            VectorAssert.Close(expected.Row(i), actual.Row(i), 1e-6, $"'{texts[i]}'");
        Assert.Equal(texts.Distinct().Count(), progress.Max());
    }

    [Fact]
    public void Negative_workers_are_an_error()
    {
        var message = TextEncoderFactory.Create(new EncoderOptions(Workers: -1)).Match(_ => "", e => e.Message);
        Assert.Contains("Workers", message);
    }
}

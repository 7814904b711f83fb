using CsCheck;
using Llm4Sbr.Inference.Encoding;
using Xunit;

namespace Llm4Sbr.Inference.Tests.Encoding;

public class Int8QuantizerTests
{
    [Fact]
    public void Each_column_is_rebuilt_within_half_its_own_step()
    {
        var gen = Gen.Int[1, 6].SelectMany(rows => Gen.Int[1, 6].SelectMany(columns =>
            Gen.Float[-10f, 10f].Array[rows * columns].Select(values => (rows, columns, values))));
        gen.CheckFixed(t =>
        {
            var (levels, scales) = Int8Quantizer.QuantizeColumns(t.values, t.rows, t.columns);
            for (int c = 0; c < t.columns; c++)
            {
                float largest = Enumerable.Range(0, t.rows).Max(r => Math.Abs(t.values[r * t.columns + c]));
                Assert.Equal(largest > 0 ? largest / 63 : 1f, scales[c], 5);
                for (int r = 0; r < t.rows; r++)
                {
                    int level = (sbyte)levels[r * t.columns + c];
                    Assert.InRange(level, -63, 63);
                    Assert.True(Math.Abs(level * scales[c] - t.values[r * t.columns + c]) <= scales[c] / 2 + 1e-6f);
                }
            }
        }, iter: 200);
    }

    [Fact]
    public void An_outlier_in_one_column_does_not_coarsen_another()
    {
        // Column 0 holds a large value; column 1 small ones, which keep their own fine step.
        float[] values = [100f, 0.01f, -3f, -0.02f];
        var (levels, scales) = Int8Quantizer.QuantizeColumns(values, 2, 2);
        Assert.Equal(0.02f / 63, scales[1], 7);
        Assert.Equal(-63, (sbyte)levels[3]);
        Assert.Equal(32, (sbyte)levels[1]);
    }

    [Fact]
    public void A_model_without_weight_matrices_is_refused_by_name()
    {
        var message = Int8Quantizer.Quantize(TinyOnnxModels.CastIdsToFloat(), "tiny.onnx").Match(_ => "", e => e.Message);
        Assert.Contains("tiny.onnx", message);
        Assert.Contains("no MatMul", message);
    }

    [Fact]
    public void Bytes_that_are_not_a_model_are_refused_by_name()
    {
        var message = Int8Quantizer.Quantize([0xff, 0xff, 0xff, 0xff], "broken.onnx").Match(_ => "", e => e.Message);
        Assert.Contains("broken.onnx", message);
    }
}

using Llm4Sbr.Training.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>Moving a model (<c>Module.to</c>) walks its members by reflection; it once failed for
/// LLM4SBR on CUDA. A dtype move takes the same path, so it is checked here without a GPU.</summary>
public class DeviceMoveTests
{
    [Theory]
    [InlineData("srgnn")]
    [InlineData("llm4sbr-srgnn")]
    [InlineData("llm4sbr-srgnn-noau")]
    [InlineData("llm4sbr-srgnn-nolong")]
    [InlineData("llm4sbr-srgnn-normal")]
    public void Every_model_moves_with_all_its_parameters(string name)
    {
        var spec = ModelRegistry.Find(name).Match(s => s, e => throw new Exception(e.Message));
        var dims = spec.ViewNames.ToDictionary(v => v, _ => 4);
        using var model = ModelRegistry.Create(spec, 11, new ModelOptions(HiddenSize: 6), dims).Match(m => m, e => throw new Exception(e.Message));
        var keys = model.state_dict().Keys.ToArray();

        model.to(ScalarType.Float64);

        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.Equal(keys, model.state_dict().Keys.ToArray());
        foreach (var view in spec.ViewNames)
            Assert.Contains($"views.{view}.projection.weight", keys);
    }
}

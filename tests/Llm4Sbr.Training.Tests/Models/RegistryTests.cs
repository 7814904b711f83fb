using Llm4Sbr.Training.Models;
using Xunit;

namespace Llm4Sbr.Training.Tests.Models;

public class RegistryTests
{
    [Fact]
    public void Unknown_model_error_names_the_valid_models()
    {
        var message = ModelRegistry.Find("srgnnn").Match(_ => "", e => e.Message);
        foreach (var name in new[] { "srgnn", "llm4sbr-srgnn", "llm4sbr-srgnn-noau", "llm4sbr-srgnn-nolong", "llm4sbr-srgnn-noshort", "llm4sbr-srgnn-normal", "llm-infer" })
            Assert.Contains(name, message);
    }

    [Theory]
    [InlineData("srgnn", "")]
    [InlineData("llm4sbr-srgnn", "long,short")]
    [InlineData("llm4sbr-srgnn-noau", "long,short")]
    [InlineData("llm4sbr-srgnn-nolong", "short")]
    [InlineData("llm4sbr-srgnn-noshort", "long")]
    [InlineData("llm4sbr-srgnn-normal", "normal")]
    public void Each_model_needs_its_views(string name, string views)
    {
        var spec = ModelRegistry.Find(name).Match(s => s, e => throw new Exception(e.Message));
        Assert.Equal(views, string.Join(",", spec.ViewNames));
        var dims = spec.ViewNames.ToDictionary(v => v, _ => 4);
        using var model = ModelRegistry.Create(spec, 11, new ModelOptions(HiddenSize: 6), dims).Match(m => m, e => throw new Exception(e.Message));
        Assert.Equal(spec.ViewNames.ToArray(), model.RequiredViews.ToArray());
        if (spec.Views.Length > 0)
        {
            var missing = ModelRegistry.Create(spec, 11, new ModelOptions(HiddenSize: 6), new Dictionary<string, int>()).Match(_ => "", e => e.Message);
            Assert.Contains("needs the view", missing);
        }
    }

    [Theory]
    [InlineData("sasrec", 1, 1, "")]
    [InlineData("llm4sbr-sasrec-noau", 1, 1, "")]
    [InlineData("sasrec", 2, 1, "+sasrec2")]
    [InlineData("llm4sbr-sasrec", 2, 1, "+sasrec2")]
    [InlineData("llm2sasrec", 3, 1, "+sasrec3")]
    [InlineData("sasrec", 1, 2, "")]
    [InlineData("llm4sbr-sasrec-normal", 1, 2, "+llm4sbr2")]
    [InlineData("llm4sbr-sasrec", 2, 2, "+sasrec2+llm4sbr2")]
    public void A_bumped_backbone_or_wrapper_version_marks_its_models_only(string model, int backboneVersion, int wrapperVersion, string expected)
    {
        var spec = ModelRegistry.Find(model).Match(s => s, e => throw new Exception(e.Message));
        var entry = BackboneRegistry.Find("sasrec")! with { Version = backboneVersion };
        Assert.Equal(expected, ModelRegistry.CodeVersion(spec, entry, wrapperVersion));
    }

    [Fact]
    public void Llm_infer_is_not_trainable()
    {
        var spec = ModelRegistry.Find("llm-infer").Match(s => s, e => throw new Exception(e.Message));
        Assert.Contains("not trained", ModelRegistry.Create(spec, 11, ModelOptions.Default, new Dictionary<string, int>()).Match(_ => "", e => e.Message));
    }
}

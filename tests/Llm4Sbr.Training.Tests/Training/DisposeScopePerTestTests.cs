using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Training;

/// <summary>The assembly's <see cref="Support.DisposeScopePerTestAttribute"/> is in force: a tensor a test
/// makes without a scope of its own belongs to the test's scope, not to the finalizer.</summary>
public class DisposeScopePerTestTests
{
    [Fact]
    public void A_tensor_made_in_a_test_belongs_to_a_dispose_scope()
    {
        long outside = DisposeScopeManager.Statistics.CreatedOutsideScopeCount;
        long inside = DisposeScopeManager.Statistics.CreatedInScopeCount;
        var temporary = ones(3).sum();
        Assert.Equal(outside, DisposeScopeManager.Statistics.CreatedOutsideScopeCount);
        Assert.Equal(inside + 2, DisposeScopeManager.Statistics.CreatedInScopeCount);
        Assert.Equal(3f, temporary.item<float>());
    }
}

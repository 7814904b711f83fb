using System.Reflection;
using TorchSharp;
using Xunit.Sdk;

namespace Llm4Sbr.Training.Tests.Support;

/// <summary>Runs every test of the assembly inside a torch dispose scope (TorchSharp's scopes are
/// per thread; xUnit runs a synchronous test's Before, body and After on one thread).
/// <para>Why: a tensor that no variable references any more (the temporary in <c>a.add(b).sum()</c>)
/// is freed by its finalizer, and a collection on another thread can run it while libtorch still reads
/// the tensor: measured with a thread forcing collections, such a loop crashed the process (a
/// segmentation fault) while the same loop inside a scope ran 424,131 times without a fault. The
/// product keeps its per-batch work in scopes; the tests' reference computations did not.</para></summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class DisposeScopePerTestAttribute : BeforeAfterTestAttribute
{
    [ThreadStatic] private static DisposeScope? scope;

    public override void Before(MethodInfo methodUnderTest)
    {
        scope = torch.NewDisposeScope();
    }

    public override void After(MethodInfo methodUnderTest)
    {
        if (scope is null)
            throw new InvalidOperationException($"{methodUnderTest.Name}: After ran on another thread than Before; its dispose scope is left open");
        scope.Dispose();
        scope = null;
    }
}

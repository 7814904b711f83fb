using Xunit;

// Training tests are CPU-heavy on a 2-core machine and torch's thread pool is process-wide: run the
// tests one at a time so each gets the cores and per-thread tensor statistics stay meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
// Every test in a torch dispose scope: see Support/DisposeScopePerTest.cs.
[assembly: Llm4Sbr.Training.Tests.Support.DisposeScopePerTest]

namespace Llm4Sbr.Training.Tests
{
    internal static class TorchSetup
    {
        /// <summary>Before any test touches torch (see <see cref="Fitting.TorchRuntime"/>).</summary>
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void PassiveOpenMpThreads() => Llm4Sbr.Training.Fitting.TorchRuntime.PreferPassiveThreadWaiting();
    }
}

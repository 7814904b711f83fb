using Xunit;

// The pipeline tests train Torch models on all cores; running them one at a time keeps the
// suite's time predictable on a small machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

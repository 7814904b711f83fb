using System.Runtime.CompilerServices;

// Tests check tokenization and batching directly; the benchmarks report token statistics.
[assembly: InternalsVisibleTo("Llm4Sbr.Inference.Tests")]
[assembly: InternalsVisibleTo("Llm4Sbr.Benchmarks")]

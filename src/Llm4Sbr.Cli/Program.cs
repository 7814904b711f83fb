using Llm4Sbr.Cli;
using Llm4Sbr.Training.Fitting;

// Before anything loads libtorch: idle OpenMP threads sleep instead of spinning, which on a busy
// machine made a training step 8x slower (see TorchRuntime).
TorchRuntime.PreferPassiveThreadWaiting();
return await CliApp.RunAsync(args, CliHost.FromConsole());

using Llm4Sbr.Cli;

return await CliApp.RunAsync(args, CliHost.FromConsole());

using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Stages.Intent;

/// <summary>Hands one logger to code that asks for a factory (the engine factory does).</summary>
internal sealed class OneLoggerFactory(ILogger logger) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => logger;
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }
}

using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Cli.Logging;

/// <summary>One line per message on standard error (<c>warn: ...</c>); exceptions' stack traces
/// only when verbose.</summary>
public sealed class TextWriterLoggerProvider(TextWriter writer, LogLevel minimum, bool withExceptions) : ILoggerProvider
{
    readonly Lock _gate = new();
    readonly TextWriter _writer = writer;
    readonly LogLevel _minimum = minimum;
    readonly bool _withExceptions = withExceptions;

    public ILogger CreateLogger(string categoryName) => new Logger(this);
    public void Dispose() { }

    sealed class Logger(TextWriterLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = $"{Label(logLevel)}: {formatter(state, exception)}";
            lock (provider._gate)
            {
                provider._writer.WriteLine(line);
                if (exception is not null && provider._withExceptions) provider._writer.WriteLine(exception.ToString());
            }
        }

        static string Label(LogLevel level) => level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "error",
            _ => "crit",
        };
    }
}

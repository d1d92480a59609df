using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Reminders.Platform.Tests.Infrastructure;

/// <summary>Keeps a host's log lines in memory, to explain a timeout in a test's failure message.</summary>
public sealed class LogCapture : ILoggerProvider
{
    readonly ConcurrentQueue<string> lines = new();

    public string Tail(int count = 40) => string.Join(Environment.NewLine, lines.TakeLast(count));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose() { }

    sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.Message)}");
        }
    }
}

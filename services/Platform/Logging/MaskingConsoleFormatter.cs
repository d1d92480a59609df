using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Reminders.Platform.Logging;

/// <summary>
/// The console formatter every service uses: one line per entry, with every phone-like number masked in the
/// message and the exception, whatever a caller (ours or a library's) put in them, and every query-string value
/// other than known harmless ones (request lines would otherwise log an officer search by name or badge), and the secret
/// of every calendar subscription link (<c>/feeds/{token}.ics</c>: the link is the only credential a calendar app has).
/// </summary>
public sealed partial class MaskingConsoleFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "masked";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null) return;
        textWriter.Write(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z' "));
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(' ');
        textWriter.Write(logEntry.Category);
        textWriter.Write(": ");
        textWriter.Write(PhoneMask.MaskAll(MaskQueryValues(MaskFeedTokens(message ?? ""))).ReplaceLineEndings(" "));
        if (logEntry.Exception is not null)
        {
            textWriter.Write(Environment.NewLine);
            textWriter.Write(PhoneMask.MaskAll(MaskQueryValues(MaskFeedTokens(logEntry.Exception.ToString()))));
        }
        textWriter.Write(Environment.NewLine);
    }

    static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    /// <summary>Query parameters whose values never carry a person's data (modes, paging, codes, dates, flags).</summary>
    static readonly HashSet<string> HarmlessQueryParameters = new(StringComparer.Ordinal)
    {
        "mode", "page", "pageSize", "status", "role", "sector", "snapshot", "from", "to", "category", "dryRun", "fullRoster", "confirmInactive", "transferDate",
    };

    static string MaskQueryValues(string text) =>
        !text.Contains('?') ? text : QueryParameter().Replace(text, m =>
            HarmlessQueryParameters.Contains(m.Groups["name"].Value) || m.Groups["value"].Length == 0 ? m.Value : $"{m.Groups["lead"].Value}{m.Groups["name"].Value}=***");

    static string MaskFeedTokens(string text) => !text.Contains("/feeds/", StringComparison.Ordinal) ? text : FeedToken().Replace(text, "***");

    [GeneratedRegex(@"(?<=/feeds/)[^/\s?#""']+(?=\.ics)", RegexOptions.CultureInvariant)]
    private static partial Regex FeedToken();

    [GeneratedRegex(@"(?<lead>[?&])(?<name>[A-Za-z][A-Za-z0-9_.\-]*)=(?<value>[^&\s#""']*)", RegexOptions.CultureInvariant)]
    private static partial Regex QueryParameter();
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Reminders.Platform.Logging;

namespace Reminders.Platform.Tests;

/// <summary>The console logger as the services configure it, with the console captured (tests in this assembly run one at a time).</summary>
public sealed class MaskingConsoleFormatterTests
{
    static string LogThroughConsole(Action<ILogger> log)
    {
        var original = Console.Out;
        var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            using (var factory = LoggerFactory.Create(logging => logging
                       .AddConsole(o => o.FormatterName = MaskingConsoleFormatter.Name)
                       .AddConsoleFormatter<MaskingConsoleFormatter, ConsoleFormatterOptions>()))
            {
                log(factory.CreateLogger("Reminders.Messaging.Delivery"));
            } // disposing the factory flushes the console logger's queue
            return captured.ToString();
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    [Fact]
    public void A_calendar_links_token_in_a_request_line_is_printed_masked()
    {
        var output = LogThroughConsole(logger => logger.LogInformation(
            "Request starting HTTP/1.1 GET http://127.0.0.1:5080/api/scheduler/feeds/{Token}.ics - - -", "Zx9_-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab"));

        Assert.Contains("/api/scheduler/feeds/***.ics - - -", output);
        Assert.DoesNotContain("Zx9_-AbCd", output);
    }

    [Fact]
    public void A_phone_number_in_the_message_and_in_the_exception_is_printed_masked()
    {
        var output = LogThroughConsole(logger => logger.LogWarning(
            new InvalidOperationException("Provider refused +52 55 1234 5678 (code 21211)"),
            "Sending SMS to {Phone} failed", "+525587654321"));

        Assert.Contains("Sending SMS to +52******4321 failed", output);
        Assert.Contains("Provider refused +52 ** **** 5678 (code 21211)", output);
        Assert.DoesNotContain("5587654321", output);
        Assert.DoesNotContain("55 1234", output);
        Assert.Contains("warn Reminders.Messaging.Delivery:", output);
    }

    [Fact]
    public void A_multi_line_message_is_printed_on_one_line()
    {
        var output = LogThroughConsole(logger => logger.LogInformation("first line\nsecond line 5512345678"));

        Assert.Contains("first line second line ******5678", output);
    }
}

using System.Globalization;
using Reminders.ProviderSimulator.Segments;

namespace Reminders.ProviderSimulator.Log;

/// <summary>RFC 4180 rows of the log: CRLF line ends, fields quoted when they hold a comma, quote or line break.</summary>
internal static class MessageLogCsv
{
    public const string Header =
        "sid,from,to,body,segments,status,accepted_at,encoding,error_code,status_updated_at,messaging_service_sid";

    public static void WriteHeader(TextWriter writer) => writer.Write(Header + "\r\n");

    public static void WriteRow(TextWriter writer, SimulatedMessage m)
    {
        writer.Write(m.Sid);
        Field(writer, m.From);
        Field(writer, m.To);
        Field(writer, m.Body);
        Field(writer, m.Segments.ToString(CultureInfo.InvariantCulture));
        Field(writer, m.Status);
        Field(writer, Iso(m.AcceptedAt));
        Field(writer, m.Encoding == SmsEncoding.Gsm7 ? "GSM-7" : "UCS-2");
        Field(writer, m.ErrorCode?.ToString(CultureInfo.InvariantCulture));
        Field(writer, Iso(m.StatusUpdatedAt));
        Field(writer, m.MessagingServiceSid);
        writer.Write("\r\n");
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static void Field(TextWriter writer, string? value)
    {
        writer.Write(',');
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            writer.Write(value);
            return;
        }
        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }
}

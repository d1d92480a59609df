using System.Collections.Immutable;
using System.Text;

namespace Reminders.Protocol;

public enum SmsTemplateKind { Invitation, DayBefore, ChangeNotice, Cancellation, Reminder, HelpReply, OptOutConfirmation }

/// <summary>
/// An SMS text with <c>{placeholder}</c>s. Braces are reserved for placeholders (a literal brace would cost two GSM-7
/// septets anyway). Names never appear in an SMS: the placeholders are <see cref="SmsPlaceholders"/>' date, time, venue
/// and number of training days only.
/// </summary>
public sealed record SmsTemplate(SmsTemplateKind Kind, string Text)
{
    /// <summary>The placeholder names the text uses, in order of first appearance.</summary>
    public ImmutableArray<string> Placeholders => [.. Scan(Text).Parts.Where(p => p.IsPlaceholder).Select(p => p.Value).Distinct()];

    /// <summary>The text of a template without placeholders (reminders, help, confirmations); throws if it has any.</summary>
    public string Render() => Render(NoValues);

    static readonly IReadOnlyDictionary<string, string> NoValues = new Dictionary<string, string>();

    /// <summary>The text with each placeholder replaced by its value (see <see cref="SmsPlaceholders"/> for the formats).</summary>
    public string Render(IReadOnlyDictionary<string, string> values)
    {
        var builder = new StringBuilder(Text.Length + 64);
        foreach (var part in Scan(Text).Parts)
        {
            if (!part.IsPlaceholder) builder.Append(part.Value);
            else if (values.TryGetValue(part.Value, out var value)) builder.Append(value);
            else throw new ArgumentException($"No value for {{{part.Value}}} in the {Kind} template.", nameof(values));
        }
        return builder.ToString();
    }

    internal readonly record struct Part(bool IsPlaceholder, string Value);

    /// <summary>Literal runs and placeholders; <paramref name="text"/>'s unmatched braces are reported, not guessed at.</summary>
    internal static (List<Part> Parts, List<string> Problems) Scan(string text)
    {
        var parts = new List<Part>();
        var problems = new List<string>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '}') { problems.Add($"has a '}}' without its '{{' at position {i + 1}"); continue; }
            if (c != '{') { literal.Append(c); continue; }
            var close = text.IndexOfAny(['{', '}'], i + 1);
            if (close < 0 || text[close] == '{') { problems.Add($"has a '{{' without its '}}' at position {i + 1}"); continue; }
            if (literal.Length > 0) { parts.Add(new(false, literal.ToString())); literal.Clear(); }
            parts.Add(new(true, text[(i + 1)..close]));
            i = close;
        }
        if (literal.Length > 0) parts.Add(new(false, literal.ToString()));
        return (parts, problems);
    }
}

/// <summary>
/// The placeholders a template may use and the one way each is written, so that the text measured at load time is the
/// text sent. Dates and times are in the officer's local time zone.
/// </summary>
public static class SmsPlaceholders
{
    /// <summary>A date: Spanish weekday, day and month, no year — "jueves 10 de septiembre".</summary>
    public const string Fecha = "fecha";
    /// <summary>A 24-hour time — "09:00".</summary>
    public const string Hora = "hora";
    /// <summary>The venue's short name for SMS, at most <see cref="MaxSedeLength"/> characters.</summary>
    public const string Sede = "sede";
    /// <summary>How many days the training lasts — "3".</summary>
    public const string Dias = "dias";

    public const int MaxSedeLength = 40;

    static readonly string[] Weekdays = ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"];
    static readonly string[] Months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"];

    public static string FormatFecha(DateOnly date) => $"{Weekdays[(int)date.DayOfWeek]} {date.Day} de {Months[date.Month - 1]}";
    public static string FormatHora(TimeOnly time) => time.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
    public static string FormatDias(int days) => days.ToString(System.Globalization.CultureInfo.InvariantCulture);

    static readonly ImmutableArray<string> Logistics = [Fecha, Hora, Sede, Dias];

    public static ImmutableArray<string> Allowed(SmsTemplateKind kind) => kind switch
    {
        SmsTemplateKind.Invitation or SmsTemplateKind.DayBefore or SmsTemplateKind.ChangeNotice or SmsTemplateKind.Cancellation => Logistics,
        _ => [],
    };

    /// <summary>What the officer must be told: where and when to go, or which day no longer happens.</summary>
    public static ImmutableArray<string> Required(SmsTemplateKind kind) => kind switch
    {
        SmsTemplateKind.Invitation or SmsTemplateKind.ChangeNotice => [Fecha, Hora, Sede],
        SmsTemplateKind.DayBefore => [Hora, Sede],
        SmsTemplateKind.Cancellation => [Fecha],
        _ => [],
    };

    /// <summary>
    /// The longest value each placeholder can take, one set per working weekday: "miércoles 30 de septiembre" is the
    /// longest date, and a calendar that works on Saturdays can put "sábado" (UCS-2) into a date.
    /// </summary>
    internal static IEnumerable<IReadOnlyDictionary<string, string>> WorstCases(IEnumerable<DayOfWeek> workingWeekdays)
    {
        foreach (var day in workingWeekdays.Distinct())
            yield return new Dictionary<string, string>
            {
                [Fecha] = $"{Weekdays[(int)day]} 30 de septiembre",
                [Hora] = "12:30",
                [Sede] = new string('x', MaxSedeLength),
                [Dias] = "10",
            };
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reminders.Protocol;

/// <summary>Errors and warnings, each with the JSON path of the field it is about.</summary>
internal sealed class IssueLog
{
    public List<ProtocolIssue> Errors { get; } = [];
    public List<ProtocolIssue> Warnings { get; } = [];
    public void Error(string path, string message) => Errors.Add(new(path, message));
    public void Warn(string path, string message) => Warnings.Add(new(path, message));
}

/// <summary>
/// Reads one JSON object field by field. Every field the parser asks for is "known"; <see cref="RejectUnknown"/> then
/// names every other field, so a typo ("hoursPerdDay") is an error instead of a silently ignored setting.
/// </summary>
internal sealed class JsonObjectReader
{
    readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);
    readonly List<string> _order = [];
    readonly List<string> _known = [];   // in the order asked for, for the messages
    readonly IssueLog _log;

    public string Path { get; }

    JsonObjectReader(JsonElement element, string path, IssueLog log)
    {
        Path = path;
        _log = log;
        foreach (var property in element.EnumerateObject())
        {
            if (_fields.TryAdd(property.Name, property.Value)) _order.Add(property.Name);
            else log.Error(Child(property.Name), "appears more than once");
        }
    }

    /// <summary>A reader for <paramref name="element"/>, or null (with an error) when it is not an object.</summary>
    public static JsonObjectReader? Open(JsonElement? element, string path, IssueLog log)
    {
        if (element is not { } e) return null;
        if (e.ValueKind == JsonValueKind.Object) return new JsonObjectReader(e, path, log);
        log.Error(path, $"must be an object, got {Json.Describe(e)}");
        return null;
    }

    public string Child(string name) => Path == "$" ? name : $"{Path}.{name}";

    public bool Has(string name) => _fields.ContainsKey(name);

    public JsonElement? Optional(string name)
    {
        if (!_known.Contains(name)) _known.Add(name);
        return _fields.TryGetValue(name, out var value) ? value : null;
    }

    public JsonElement? Required(string name)
    {
        var value = Optional(name);
        if (value is null) _log.Error(Child(name), "is missing");
        return value;
    }

    public void RejectUnknown()
    {
        // Prefer a known field the object lacks: "hoursPerdDay" beside a missing "hoursPerDay".
        var missing = _known.Where(k => !_fields.ContainsKey(k)).ToList();
        foreach (var name in _order.Where(n => !_known.Contains(n)))
        {
            var suggestion = Json.Closest(name, missing) ?? Json.Closest(name, _known);
            _log.Error(Child(name), suggestion is null
                ? $"unknown field; the fields here are {string.Join(", ", _known)}"
                : $"unknown field (did you mean \"{suggestion}\"?)");
        }
    }
}

/// <summary>Typed reads of single JSON values; each reports what it expected and what it got under the value's path.</summary>
internal static partial class Json
{
    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{e.GetString()}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };

    public static string? String(JsonElement? element, string path, IssueLog log, bool allowEmpty = false)
    {
        if (element is not { } e) return null;
        if (e.ValueKind != JsonValueKind.String) { log.Error(path, $"must be a string, got {Describe(e)}"); return null; }
        var value = e.GetString()!;
        if (!allowEmpty && string.IsNullOrWhiteSpace(value)) { log.Error(path, "must not be empty"); return null; }
        return value;
    }

    public static int? Int(JsonElement? element, string path, IssueLog log, int min, int max)
    {
        if (element is not { } e) return null;
        if (e.ValueKind != JsonValueKind.Number) { log.Error(path, $"must be a whole number, got {Describe(e)}"); return null; }
        if (!e.TryGetInt32(out var value))
        {
            var isWhole = e.TryGetDecimal(out var d) && d == decimal.Truncate(d);
            log.Error(path, isWhole ? $"must be between {min} and {max}, got {e.GetRawText()}" : $"must be a whole number, got {e.GetRawText()}");
            return null;
        }
        if (value < min || value > max) { log.Error(path, $"must be between {min} and {max}, got {value}"); return null; }
        return value;
    }

    public static TimeOnly? Time(JsonElement? element, string path, IssueLog log)
    {
        var text = String(element, path, log);
        if (text is null) return null;
        if (TimePattern().IsMatch(text)) return TimeOnly.ParseExact(text, "HH:mm", CultureInfo.InvariantCulture);
        log.Error(path, $"must be a time as HH:mm (24-hour, e.g. \"09:00\"), got \"{text}\"");
        return null;
    }

    public static DateOnly? Date(JsonElement? element, string path, IssueLog log)
    {
        var text = String(element, path, log);
        if (text is null) return null;
        if (DatePattern().IsMatch(text) && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date;
        log.Error(path, $"must be a date as yyyy-MM-dd (e.g. \"2026-04-02\"), got \"{text}\"");
        return null;
    }

    /// <summary>The items of an array with their paths ("reminders.schedule[2]"), or null (with an error) when it is not an array.</summary>
    public static List<(JsonElement Item, string Path)>? Array(JsonElement? element, string path, IssueLog log)
    {
        if (element is not { } e) return null;
        if (e.ValueKind == JsonValueKind.Array) return e.EnumerateArray().Select((item, i) => (item, $"{path}[{i}]")).ToList();
        log.Error(path, $"must be an array, got {Describe(e)}");
        return null;
    }

    public static string Time(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The candidate within edit distance 2 (or a case-only difference) of <paramref name="name"/>, if one is.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates) => candidates
        .Select(c => (Candidate: c, Distance: string.Equals(c, name, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(c.ToLowerInvariant(), name.ToLowerInvariant())))
        .Where(c => c.Distance <= Math.Min(2, Math.Max(1, c.Candidate.Length / 3)))
        .OrderBy(c => c.Distance)
        .Select(c => c.Candidate)
        .FirstOrDefault();

    static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    [GeneratedRegex(@"^([01][0-9]|2[0-3]):[0-5][0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Reminders.Protocol;

/// <summary>
/// Which file exactly: lowercase hex SHA-256 over the UTF-8 bytes of the file's canonical JSON — object keys sorted by
/// code point, no whitespace, strings escaping only <c>"</c>, <c>\</c> and control characters, whole numbers in plain
/// decimal. Reformatting or reordering the file keeps the fingerprint; any change of content changes it. For a file of
/// strings and whole numbers it equals Python's
/// <c>hashlib.sha256(json.dumps(json.load(f), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()</c>.
/// </summary>
public static class ProtocolFingerprint
{
    public static string Of(JsonElement root) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(root))));

    public static string Of(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Of(document.RootElement);
    }

    public static string Canonical(JsonElement root)
    {
        var builder = new StringBuilder();
        Write(root, builder);
        return builder.ToString();
    }

    static void Write(JsonElement element, StringBuilder builder)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                builder.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first) builder.Append(',');
                    first = false;
                    WriteString(property.Name, builder);
                    builder.Append(':');
                    Write(property.Value, builder);
                }
                builder.Append('}');
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (index++ > 0) builder.Append(',');
                    Write(item, builder);
                }
                builder.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(element.GetString()!, builder);
                break;
            case JsonValueKind.Number:
                builder.Append(element.TryGetInt64(out var whole) ? whole.ToString(CultureInfo.InvariantCulture) : element.GetDouble().ToString("R", CultureInfo.InvariantCulture));
                break;
            case JsonValueKind.True: builder.Append("true"); break;
            case JsonValueKind.False: builder.Append("false"); break;
            default: builder.Append("null"); break;
        }
    }

    static void WriteString(string value, StringBuilder builder)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case < ' ': builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: builder.Append(c); break;
            }
        }
        builder.Append('"');
    }
}

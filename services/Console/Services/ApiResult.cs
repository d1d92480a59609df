using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reminders.Web.Services;

/// <summary>What a service answered: the value, or the ProblemDetails it refused with (field and reason), never an exception.</summary>
public sealed record ApiResult<T>(HttpStatusCode Status, T? Value, ApiProblem? Problem, long? TotalCount = null)
{
    public bool Ok => Problem is null;
}

/// <summary>
/// A service's ProblemDetails, as the console shows it: the title, the detail (English), the field it names, and the
/// <see cref="Code"/> extension when the service sends one; <see cref="Service"/> names a service that could not be reached.
/// A problem the console makes itself has no <see cref="Title"/>: its <see cref="Detail"/> is already in the reader's words.
/// </summary>
public sealed record ApiProblem(int Status, string? Title, string? Detail, string? Field, IReadOnlyList<string> Errors, string? Code = null, string? Service = null)
{
    public static ApiProblem Read(HttpStatusCode status, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var errors = new List<string>();
            if (root.TryGetProperty("errors", out var list))
            {
                if (list.ValueKind == JsonValueKind.Object)
                    foreach (var field in list.EnumerateObject())
                        errors.AddRange(field.Value.EnumerateArray().Select(e => $"{field.Name}: {e.GetString()}"));
                else if (list.ValueKind == JsonValueKind.Array)
                    errors.AddRange(list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.ToString()));
            }
            return new ApiProblem((int)status, Text("title"), Text("detail"), Text("field"), errors, Text("code"));
        }
        catch (JsonException)
        {
            return new ApiProblem((int)status, status.ToString(), body.Length > 300 ? body[..300] : body, null, []);
        }
    }

    /// <summary>The service could not be reached at all.</summary>
    public static ApiProblem Unreachable(string service, Exception error) =>
        new(0, "unreachable", $"{service}: {error.Message}", null, [], Service: service);
}

static class ServiceJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Reminders.Platform.Hosting;

/// <summary>
/// An API's refusal as ProblemDetails of one shape: status, title, detail and the <c>field</c> extension naming
/// what the caller should fix (a body member, a query or route parameter, a header), so a client can point at it.
/// Field first, then the words; a route's title is its own (clients and tests read it), so only <see cref="Invalid"/> fixes one.
/// </summary>
public static class Refusals
{
    /// <summary>400 "Invalid request": <paramref name="field"/> cannot be taken as given, and <paramref name="reason"/> says why.</summary>
    public static ProblemHttpResult Invalid(string field, string reason) =>
        Refuse(StatusCodes.Status400BadRequest, field, "Invalid request", reason);

    /// <summary>403: the caller may not do this with <paramref name="field"/>.</summary>
    public static ProblemHttpResult Forbidden(string field, string title, string detail) =>
        Refuse(StatusCodes.Status403Forbidden, field, title, detail);

    /// <summary>404: what <paramref name="field"/> names does not exist; null when no one field names it.</summary>
    public static ProblemHttpResult NotFound(string? field, string title, string detail) =>
        Refuse(StatusCodes.Status404NotFound, field, title, detail);

    /// <summary>409: the request is well formed but the state it meets refuses it; null field when no one field is at fault.</summary>
    public static ProblemHttpResult Conflict(string? field, string title, string detail) =>
        Refuse(StatusCodes.Status409Conflict, field, title, detail);

    /// <summary>Any refusal status; <paramref name="more"/> are extensions written after <c>field</c>.</summary>
    public static ProblemHttpResult Refuse(int status, string? field, string title, string detail, IReadOnlyDictionary<string, object?>? more = null)
    {
        var extensions = new Dictionary<string, object?>();
        if (field is not null) extensions["field"] = field;
        foreach (var (name, value) in more ?? new Dictionary<string, object?>()) extensions[name] = value;
        return TypedResults.Problem(title: title, detail: detail, statusCode: status, extensions: extensions);
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Reminders.Platform.Hosting;

/// <summary>One refused cell of an uploaded file: where it is and why.</summary>
public readonly record struct RejectedCell(int Line, string Column, string Reason);

/// <summary>
/// A file refused row by row (sectors, roster, roll call): 422 ProblemDetails like every other refusal, whose detail says
/// how many problems and the first one, and which keeps each member of the import's report (<c>rejected</c>, <c>rows</c>,
/// <c>mode</c>, ...) beside <c>title</c> and <c>detail</c>, so a client reads the rows as before.
/// </summary>
public static class RejectedUpload
{
    static readonly JsonSerializerOptions ReportJson = new(JsonSerializerOptions.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    static readonly HashSet<string> ProblemMembers = ["type", "title", "status", "detail", "instance", "field"];

    public static ProblemHttpResult Problem<TReport>(string title, TReport report, IReadOnlyList<RejectedCell> rejected, bool written = false)
    {
        var first = rejected.OrderBy(r => r.Line).FirstOrDefault();
        var detail = rejected.Count == 0 ? "The file was refused." :
            $"{rejected.Count} problem{(rejected.Count == 1 ? "" : "s")} in the file{(written ? "" : "; nothing was written")}. "
            + $"First: line {first.Line}{(first.Column.Length > 0 ? $", column '{first.Column}'" : "")}: {first.Reason} Every one is listed in 'rejected'.";
        var members = JsonSerializer.SerializeToElement(report, ReportJson).EnumerateObject()
            .Where(m => !ProblemMembers.Contains(m.Name)).ToDictionary(m => m.Name, m => (object?)m.Value);
        return Refusals.Refuse(StatusCodes.Status422UnprocessableEntity, "body", title, detail, members);
    }
}

using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Scheduler.Dispatch;

/// <summary>
/// Every SMS the Scheduler planned for one officer, with its kind and text: what an officer's support page needs to tell an
/// invitation from a change notice (Messaging and Attendance know only the purpose, "logistics").
/// </summary>
public static class OfficerSmsApi
{
    /// <param name="SmsId">The id Messaging and Attendance know the SMS by once dispatched.</param>
    /// <param name="Kind">invitation, day_before, change_notice, cancellation or reminder.</param>
    /// <param name="Status">planned, dispatched, cancelled or skipped (<paramref name="Reason"/> says why).</param>
    public sealed record OfficerSms
    {
        public Guid SmsId { get; init; }
        public string Purpose { get; init; } = "";
        public string Kind { get; init; } = "";
        public Guid? CohortId { get; init; }
        public Guid? SessionId { get; init; }
        public int? ReminderNumber { get; init; }
        public string Body { get; init; } = "";
        public DateTimeOffset DueAt { get; init; }
        public string Status { get; init; } = "";
        public string? Reason { get; init; }
        public DateTimeOffset? DispatchedAt { get; init; }
    }

    public static IEndpointRouteBuilder MapOfficerSmsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/scheduler").WithTags("Scheduler").RequireAuthorization(Roles.Manager)
            .MapGet("/officers/{officerId:guid}/sms", List)
            .WithSummary("Every SMS planned for one officer, in due order: kind (invitation, change notice...), text, due time, status and reason; an officer with none gets an empty list.");
        return app;
    }

    static async Task<Ok<IReadOnlyList<OfficerSms>>> List(Guid officerId, [FromKeyedServices(SchedulerService.Name)] ServiceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<OfficerSms>(new CommandDefinition("""
            SELECT sms_id AS SmsId, purpose AS Purpose, kind AS Kind, cohort_id AS CohortId, session_id AS SessionId, reminder_number AS ReminderNumber,
                   body AS Body, due_at AS DueAt, status AS Status, reason AS Reason, dispatched_at AS DispatchedAt
            FROM planned_sms WHERE officer_id = @officerId ORDER BY due_at, planned_at
            """, new { officerId }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<OfficerSms>>(rows.AsList());
    }
}

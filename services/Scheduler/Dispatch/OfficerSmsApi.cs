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
    public static IEndpointRouteBuilder MapOfficerSmsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/scheduler").WithTags("Scheduler").RequireAuthorization(Roles.Manager)
            .MapGet("/officers/{officerId:guid}/sms", List)
            .WithSummary("Every SMS planned for one officer, in due order: kind (invitation, change notice...), text, due time, status and reason; an officer with none gets an empty list.");
        return app;
    }

    static async Task<Ok<IReadOnlyList<PlannedSms>>> List(Guid officerId, SchedulerDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<PlannedSms>(new CommandDefinition(
            $"SELECT {PlannedSmsStore.Columns} FROM planned_sms WHERE officer_id = @officerId ORDER BY due_at, planned_at", new { officerId }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<PlannedSms>>(rows.AsList());
    }
}

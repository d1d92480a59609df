using Dapper;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.Scheduler.ManualMessages;

/// <summary>A manager's one-off SMS to one officer of a treatment sector (a test message, an urgent notice).</summary>
public static class ManualMessagesApi
{
    public const int MaxBodyLength = 1600;

    public sealed record ManualMessageRequest(Guid OfficerId, string Body);

    public sealed record ManualMessageAccepted(Guid SmsId, Guid OfficerId, DateTimeOffset RequestedAt);

    /// <summary>A one-off SMS as requested; <see cref="Delivery"/> is Messaging's route for its send state and provider status.</summary>
    public sealed record ManualMessage(Guid SmsId, Guid OfficerId, string Body, string RequestedBy, DateTimeOffset RequestedAt, string Delivery);

    public static IEndpointRouteBuilder MapManualMessagesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/scheduler").WithTags("Scheduler");
        api.MapPost("/messages", Send).RequireAuthorization(Roles.Manager)
            .WithSummary("Send one SMS to an officer of a treatment sector; refused for control sectors.");
        api.MapGet("/messages/{smsId:guid}", Get).RequireAuthorization(Roles.Manager)
            .WithSummary("One one-off SMS as requested (officer, text, who, when) and where Messaging tells its delivery.");
        return app;
    }

    static async Task<Results<Ok<ManualMessage>, NotFound>> Get(Guid smsId, SchedulerDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ManualMessageRow>(new CommandDefinition("""
            SELECT sms_id, officer_id, body, requested_by, requested_at
            FROM manual_messages WHERE sms_id = @smsId
            """, new { smsId }, cancellationToken: ct));
        return row is null ? TypedResults.NotFound()
            : TypedResults.Ok(new ManualMessage(row.SmsId, row.OfficerId, row.Body, row.RequestedBy, row.RequestedAt, $"/api/messaging/sms/{row.SmsId}"));
    }

    static async Task<Results<Accepted<ManualMessageAccepted>, ProblemHttpResult>> Send(
        ManualMessageRequest request, ClaimsPrincipal user, SchedulerDatabase database,
        TimeProvider clock, StudyProtocol protocol, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Body) || request.Body.Length > MaxBodyLength)
            return Refusals.Invalid("body", $"The message body must have 1 to {MaxBodyLength} characters.");
        await using var work = await database.BeginAsync(ct);
        var officer = await work.QuerySingleOrDefaultAsync<OfficerRow>("""
            SELECT COALESCE(a.arm, 'unrandomized') AS Arm, c.consent, z.time_zone FROM officers o
            LEFT JOIN officer_arms a ON a.officer_id = o.officer_id LEFT JOIN officer_consents c ON c.officer_id = o.officer_id
            LEFT JOIN sectors z ON z.sector_id = o.sector_id
            WHERE o.officer_id = @OfficerId
            """, new { request.OfficerId }, ct);
        if (officer is null)
            return Refusals.NotFound("officerId", "Unknown officer", $"No enrolled officer has id {request.OfficerId}.");
        if (officer.Arm != StudyArms.Treatment)
            return Refusals.Conflict("officerId", "Not a treatment officer",
                $"The officer was randomized to {officer.Arm}: only officers randomized to treatment receive SMS, wherever they are now.");
        if (officer.Consent == false)
            return Refusals.Conflict("officerId", "No consent to SMS", "The roster says this officer did not consent to SMS: tell them in person instead.");

        // Said now rather than refused later by Messaging: the manager can send it when the officer's window opens.
        var zone = protocol.ZoneOf(officer.TimeZone);
        if (!protocol.QuietHours.IsInside(clock.GetUtcNow(), zone))
            return TypedResults.Problem(title: "Quiet hours",
                detail: $"SMS are sent only between {protocol.QuietHours} ({zone.Id}); the window opens at " +
                        $"{TimeZoneInfo.ConvertTime(protocol.QuietHours.NextAllowed(clock.GetUtcNow(), zone), zone):yyyy-MM-dd HH:mm}.",
                statusCode: 409);

        var smsId = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        await work.ExecuteAsync("""
            INSERT INTO manual_messages (sms_id, officer_id, body, requested_by, requested_at)
            VALUES (@smsId, @OfficerId, @Body, @requestedBy, @now)
            """, new { smsId, request.OfficerId, request.Body, requestedBy = user.Identity?.Name ?? "", now }, ct);
        work.Send(QueueNames.SendSms, new SendSms(smsId, request.OfficerId, SmsPurposes.Manual, request.Body, now, officer.TimeZone));
        await work.CommitAsync(ct);
        return TypedResults.Accepted($"/api/scheduler/messages/{smsId}", new ManualMessageAccepted(smsId, request.OfficerId, now));
    }

    sealed record ManualMessageRow
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Body { get; init; } = "";
        public string RequestedBy { get; init; } = "";
        public DateTimeOffset RequestedAt { get; init; }
    }

    sealed record OfficerRow
    {
        public string Arm { get; init; } = "";
        public bool? Consent { get; init; }
        public string? TimeZone { get; init; }
    }
}

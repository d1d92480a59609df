using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Logging;

namespace Reminders.Messaging.Delivery;

public static class SmsApi
{
    public sealed record SmsView(
        Guid SmsId, Guid OfficerId, string Purpose, string State, string? Status, string? RefusalReason, int? ErrorCode,
        string? ProviderSid, int? Segments, string ToMasked, int Attempts, DateTimeOffset RequestedAt, DateTimeOffset? AcceptedAt,
        IReadOnlyList<StatusEntry> History);

    public sealed record StatusEntry
    {
        public string Status { get; init; } = "";
        public int? ErrorCode { get; init; }
        public string Source { get; init; } = "";
        public DateTimeOffset ReceivedAt { get; init; }
    }

    public static IEndpointRouteBuilder MapSmsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/messaging").WithTags("Messaging")
            .MapGet("/sms/{smsId:guid}", GetSms).RequireAuthorization(Roles.Manager)
            .WithSummary("One SMS: its send state, provider status and every status callback received.");
        return app;
    }

    static async Task<Results<Ok<SmsView>, NotFound>> GetSms(Guid smsId, [FromKeyedServices(MessagingService.Name)] ServiceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
            SELECT sms_id AS SmsId, officer_id AS OfficerId, purpose AS Purpose, state AS State, status AS Status, refusal_reason AS RefusalReason,
                   error_code AS ErrorCode, provider_sid AS ProviderSid, segments AS Segments, to_phone AS ToPhone, attempts AS Attempts,
                   requested_at AS RequestedAt, accepted_at AS AcceptedAt
            FROM outbound_sms WHERE sms_id = @smsId
            """, new { smsId }, cancellationToken: ct));
        if (row is null) return TypedResults.NotFound();
        var history = await connection.QueryAsync<StatusEntry>(new CommandDefinition("""
            SELECT status AS Status, error_code AS ErrorCode, source AS Source, received_at AS ReceivedAt
            FROM sms_status_history WHERE sms_id = @smsId ORDER BY id
            """, new { smsId }, cancellationToken: ct));
        return TypedResults.Ok(new SmsView(row.SmsId, row.OfficerId, row.Purpose, row.State, row.Status, row.RefusalReason, row.ErrorCode,
            row.ProviderSid, row.Segments, PhoneMask.Mask(row.ToPhone), (int)row.Attempts, row.RequestedAt, row.AcceptedAt, history.AsList()));
    }

    sealed class Row
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public string State { get; init; } = "";
        public string? Status { get; init; }
        public string? RefusalReason { get; init; }
        public int? ErrorCode { get; init; }
        public string? ProviderSid { get; init; }
        public int? Segments { get; init; }
        public string? ToPhone { get; init; }
        public long Attempts { get; init; }
        public DateTimeOffset RequestedAt { get; init; }
        public DateTimeOffset? AcceptedAt { get; init; }
    }
}

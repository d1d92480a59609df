using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>What each officer received, pseudonymous only (researchers never see names or phones).</summary>
public static class DosageApi
{
    public sealed record OfficerDosage(
        Guid OfficerId, Guid? SectorId, string? Arm, string? Role,
        long SmsSent, long SmsDelivered, long SmsFailed, long SmsUndelivered, long SmsRefused,
        DateTimeOffset? FirstDeliveredAt, DateTimeOffset? LastDeliveredAt, IReadOnlyList<SmsEntry> Sms);

    public sealed record SmsEntry
    {
        public Guid SmsId { get; init; }
        public string Purpose { get; init; } = "";
        public bool Accepted { get; init; }
        public string? Status { get; init; }
        public int? ErrorCode { get; init; }
        public string? RefusalReason { get; init; }
        public DateTimeOffset? AcceptedAt { get; init; }
        public DateTimeOffset? DeliveredAt { get; init; }
    }

    public static IEndpointRouteBuilder MapDosageApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/attendance").WithTags("Attendance")
            .MapGet("/dosage/officers/{officerId:guid}", GetOfficerDosage).RequireAnyRole(Roles.Researcher, Roles.Manager)
            .WithSummary("The SMS dose one officer received, from the ledger.");
        return app;
    }

    static async Task<Results<Ok<OfficerDosage>, NotFound>> GetOfficerDosage(
        Guid officerId, [FromKeyedServices(AttendanceService.Name)] ServiceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var officer = await connection.QuerySingleOrDefaultAsync<OfficerRow>(new CommandDefinition("""
            SELECT o.sector_id AS SectorId, o.role AS Role, a.arm AS Arm
            FROM officers o LEFT JOIN sector_arms a ON a.sector_id = o.sector_id WHERE o.officer_id = @officerId
            """, new { officerId }, cancellationToken: ct));
        var sms = (await connection.QueryAsync<SmsEntry>(new CommandDefinition("""
            SELECT sms_id AS SmsId, purpose AS Purpose, accepted AS Accepted, status AS Status, error_code AS ErrorCode,
                   refusal_reason AS RefusalReason, accepted_at AS AcceptedAt, delivered_at AS DeliveredAt
            FROM sms_ledger WHERE officer_id = @officerId ORDER BY COALESCE(accepted_at, updated_at)
            """, new { officerId }, cancellationToken: ct))).AsList();
        if (officer is null && sms.Count == 0) return TypedResults.NotFound();

        var delivered = sms.Where(s => s.DeliveredAt is not null).Select(s => s.DeliveredAt!.Value).Order().ToList();
        return TypedResults.Ok(new OfficerDosage(officerId, officer?.SectorId, officer?.Arm, officer?.Role,
            SmsSent: sms.Count(s => s.Accepted),
            SmsDelivered: sms.Count(s => s.Status == "delivered"),
            SmsFailed: sms.Count(s => s.Status == "failed"),
            SmsUndelivered: sms.Count(s => s.Status == "undelivered"),
            SmsRefused: sms.Count(s => s.RefusalReason is not null),
            FirstDeliveredAt: delivered.Count > 0 ? delivered[0] : null,
            LastDeliveredAt: delivered.Count > 0 ? delivered[^1] : null,
            sms));
    }

    sealed record OfficerRow
    {
        public Guid SectorId { get; init; }
        public string Role { get; init; } = "";
        public string? Arm { get; init; }
    }
}

using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>What each officer received, pseudonymous only (researchers never see names or phones).</summary>
public static class DosageApi
{
    /// <summary>The officer's <see cref="DosageRow"/>, with every SMS of any purpose as the ledger holds it and counts over them all.</summary>
    public sealed record OfficerDosage : DosageRow
    {
        public OfficerDosage(DosageRow row, IReadOnlyList<SmsEntry> sms) : base(row)
        {
            Sms = sms;
            var delivered = sms.Where(s => s.DeliveredAt is not null).Select(s => s.DeliveredAt!.Value).Order().ToList();
            SmsSent = sms.Count(s => s.Accepted);
            SmsDelivered = sms.Count(s => s.Status == "delivered");
            SmsFailed = sms.Count(s => s.Status == "failed");
            SmsUndelivered = sms.Count(s => s.Status == "undelivered");
            // A send held by quiet hours past its late window was skipped (missed_window), not refused by a guard.
            SmsRefused = sms.Count(s => s.RefusalReason is not (null or SmsSkipReasons.MissedWindow));
            FirstDeliveredAt = delivered.Count > 0 ? delivered[0] : null;
            LastDeliveredAt = delivered.Count > 0 ? delivered[^1] : null;
        }

        public long SmsSent { get; init; }
        public long SmsDelivered { get; init; }
        public long SmsFailed { get; init; }
        public long SmsUndelivered { get; init; }
        public long SmsRefused { get; init; }
        public DateTimeOffset? FirstDeliveredAt { get; init; }
        public DateTimeOffset? LastDeliveredAt { get; init; }
        public IReadOnlyList<SmsEntry> Sms { get; init; }
    }

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
            .WithSummary("The dose one officer received, from the ledger: training, reminders (each with its status and times), logistics SMS.");
        return app;
    }

    static async Task<Results<Ok<OfficerDosage>, ProblemHttpResult>> GetOfficerDosage(
        Guid officerId, AttendanceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = (await DosageLedger.ReadAsync(connection, null, [officerId], ct)).SingleOrDefault();
        var sms = (await connection.QueryAsync<SmsEntry>(new CommandDefinition("""
            SELECT sms_id, purpose, accepted, status, error_code,
                   refusal_reason, accepted_at, delivered_at
            FROM sms_ledger WHERE officer_id = @officerId ORDER BY COALESCE(accepted_at, updated_at)
            """, new { officerId }, cancellationToken: ct))).AsList();
        if (row is null && sms.Count == 0)
            return TypedResults.Problem(title: "Unknown officer", detail: $"The ledger knows nothing of officer {officerId}.", statusCode: 404);
        return TypedResults.Ok(new OfficerDosage(row ?? new DosageRow { OfficerId = officerId }, sms));
    }
}

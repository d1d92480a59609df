using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Summary;

/// <summary>Where the study stands, in counts (the console's home page): sectors and their arms, officers by arm and status, the randomization.</summary>
public static class EnrollmentSummaryApi
{
    /// <summary>Officers of one arm of randomization (null: not randomized) and study status.</summary>
    public sealed record OfficerCount
    {
        public string? Arm { get; init; }
        public string Status { get; init; } = "";
        public long Count { get; init; }
    }

    public sealed record CurrentRandomization
    {
        public Guid Id { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public string RequestedBy { get; init; } = "";
    }

    /// <param name="Sectors">Every sector loaded.</param>
    /// <param name="SectorsByArm">Sectors randomized, by arm (empty before randomization).</param>
    /// <param name="Officers">Officers by arm of randomization and study status.</param>
    /// <param name="ConsentNo">Officers whose roster says they did not consent to SMS.</param>
    /// <param name="Randomization">The committed randomization, or null.</param>
    public sealed record EnrollmentSummary(
        int Sectors, IReadOnlyDictionary<string, long> SectorsByArm, long OfficersTotal, IReadOnlyList<OfficerCount> Officers, long ConsentNo,
        CurrentRandomization? Randomization);

    public static IEndpointRouteBuilder MapEnrollmentSummaryApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/enrollment").WithTags("Enrollment")
            .MapGet("/summary", Summary).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("Sectors (total, randomized by arm), officers by arm of randomization and status, consent 'no', and the current randomization (id, when, by whom).");
        return app;
    }

    static async Task<Ok<EnrollmentSummary>> Summary(EnrollmentDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sectors = (await connection.QueryAsync<ArmCount>(new CommandDefinition(
            "SELECT arm, COUNT(*) AS Count FROM sectors GROUP BY arm", cancellationToken: ct))).AsList();
        var officers = (await connection.QueryAsync<OfficerCount>(new CommandDefinition("""
            SELECT randomized_arm AS Arm, status, COUNT(*) AS Count FROM officers GROUP BY randomized_arm, status ORDER BY 1, 2
            """, cancellationToken: ct))).AsList();
        var consentNo = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM officers WHERE NOT consent", cancellationToken: ct));
        var randomization = await connection.QuerySingleOrDefaultAsync<CurrentRandomization>(new CommandDefinition(
            "SELECT id, created_at, requested_by FROM randomizations WHERE status = 'committed'", cancellationToken: ct));
        return TypedResults.Ok(new EnrollmentSummary(
            (int)sectors.Sum(s => s.Count), sectors.Where(s => s.Arm is not null).ToDictionary(s => s.Arm!, s => s.Count),
            officers.Sum(o => o.Count), officers, consentNo, randomization));
    }

    sealed record ArmCount
    {
        public string? Arm { get; init; }
        public long Count { get; init; }
    }
}

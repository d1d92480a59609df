using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Messaging.Audit;

public static class AuditApi
{
    /// <summary>The audit's services: the provider's log through the Twilio SDK, Attendance's ledger and the Scheduler's dispatched SMS over HTTP.</summary>
    public static WebApplicationBuilder AddConsistencyAudit(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<AuditOptions>(builder.Configuration.GetSection(AuditOptions.Section));
        builder.Services.AddSingleton<ProviderMessages>();
        builder.Services.AddHttpClient<LedgerClient>(http => http.Timeout = TimeSpan.FromMinutes(5));
        builder.Services.AddHttpClient<SchedulerClient>(http => http.Timeout = TimeSpan.FromMinutes(5));
        builder.Services.AddTransient<ConsistencyAudit>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/messaging").WithTags("Messaging");
        api.MapPost("/audit", RunAsync).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("Cross-checks the provider's log, Messaging's records, the dosage ledger and the SMS the Scheduler dispatched; every difference, with what each source says " +
                         "(from/to: the period asked of the provider, ISO 8601; default the study start, or everything, until now). Each run is recorded.");
        api.MapGet("/audit/runs", Runs).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary($"The audits run, newest first (limit: 1 to {MaxRuns}, default 20): when, who, the period, clean or not, differences by kind.");
        return app;
    }

    const int MaxRuns = 1000;

    static async Task<Results<Ok<IReadOnlyList<AuditRun>>, ProblemHttpResult>> Runs(
        MessagingDatabase database, CancellationToken ct, int limit = 20) =>
        limit is < 1 or > MaxRuns
            ? Refusals.Invalid("limit", $"limit must be 1 to {MaxRuns}.")
            : TypedResults.Ok(await AuditRuns.LatestAsync(database, limit, ct));

    static async Task<Results<Ok<AuditReport>, ProblemHttpResult>> RunAsync(DateTimeOffset? from, DateTimeOffset? to, ConsistencyAudit audit,
        ClaimsPrincipal user, MessagingDatabase database, CancellationToken ct)
    {
        if (from is { } start && to is { } end && end < start)
            return Refusals.Invalid("to", "to is before from.");
        try
        {
            var report = await audit.RunAsync(from, to, ct);
            await AuditRuns.RecordAsync(database, report, user.Identity?.Name ?? "", ct);
            return TypedResults.Ok(report);
        }
        catch (AuditSourceException ex)
        {
            return TypedResults.Problem(title: "Audit source unavailable", detail: ex.Message, statusCode: 502,
                extensions: new Dictionary<string, object?> { ["source"] = ex.SourceName });
        }
    }
}

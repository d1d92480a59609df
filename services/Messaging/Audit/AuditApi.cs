using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;

namespace Reminders.Messaging.Audit;

public static class AuditApi
{
    /// <summary>The audit's services: the provider's log through the Twilio SDK, Attendance's ledger over HTTP.</summary>
    public static WebApplicationBuilder AddConsistencyAudit(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<AuditOptions>(builder.Configuration.GetSection(AuditOptions.Section));
        builder.Services.AddSingleton<ProviderMessages>();
        builder.Services.AddHttpClient<LedgerClient>(http => http.Timeout = TimeSpan.FromMinutes(5));
        builder.Services.AddTransient<ConsistencyAudit>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/messaging").WithTags("Messaging")
            .MapPost("/audit", RunAsync).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("Cross-checks the provider's log, Messaging's records and the dosage ledger; every difference, with what each source says " +
                         "(from/to: the period asked of the provider, ISO 8601; default the study start, or everything, until now).");
        return app;
    }

    static async Task<Results<Ok<AuditReport>, ProblemHttpResult>> RunAsync(DateTimeOffset? from, DateTimeOffset? to, ConsistencyAudit audit, CancellationToken ct)
    {
        if (from is { } start && to is { } end && end < start)
            return TypedResults.Problem(title: "Invalid request", detail: "to is before from.", statusCode: 400,
                extensions: new Dictionary<string, object?> { ["field"] = "to" });
        try
        {
            return TypedResults.Ok(await audit.RunAsync(from, to, ct));
        }
        catch (AuditSourceException ex)
        {
            return TypedResults.Problem(title: "Audit source unavailable", detail: ex.Message, statusCode: 502,
                extensions: new Dictionary<string, object?> { ["source"] = ex.SourceName });
        }
    }
}

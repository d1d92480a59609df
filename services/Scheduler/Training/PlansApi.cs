using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;

namespace Reminders.Scheduler.Training;

public static class PlansApi
{
    public sealed record PlanRequestBody(string? From, string? To, List<string>? SectorCodes, bool? DryRun);

    public static IEndpointRouteBuilder MapPlansApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/scheduler").WithTags("Scheduler")
            .MapPost("/plans", Plan).RequireAuthorization(Roles.Manager)
            .WithSummary("Plan the 3-day trainings of treatment sectors (all, or sectorCodes) inside [from, to]; dryRun shows the plan without recording it. Unplaced sectors come with the reason.");
        return app;
    }

    static async Task<Results<Ok<PlanResult>, Created<PlanResult>, ProblemHttpResult>> Plan(
        PlanRequestBody body, ClaimsPrincipal user, TrainingPlanner planner, CancellationToken ct)
    {
        if (!DateOnly.TryParseExact(body.From, "yyyy-MM-dd", out var from)) return Refusals.Invalid("from", "from must be a date as YYYY-MM-DD.");
        if (!DateOnly.TryParseExact(body.To, "yyyy-MM-dd", out var to)) return Refusals.Invalid("to", "to must be a date as YYYY-MM-DD.");
        try
        {
            var result = await planner.PlanAsync(new PlanCommand(from, to, body.SectorCodes, body.DryRun ?? false, user.Identity?.Name ?? ""), ct);
            return result.DryRun ? TypedResults.Ok(result) : TypedResults.Created("/api/scheduler/cohorts", result);
        }
        catch (PlanningRefused refused)
        {
            return Refusals.Refuse(refused.Status, refused.Field, refused.Status == 409 ? "Refused" : "Invalid request", refused.Message);
        }
    }
}

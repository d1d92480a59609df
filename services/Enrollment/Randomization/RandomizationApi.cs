using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Randomization;

public static class RandomizationApi
{
    public sealed record RandomizeRequest(long Seed);

    public sealed record RandomizationResult(Guid RandomizationId, long Seed, IReadOnlyList<SectorAssignment> Assignments);

    public sealed record SectorAssignment(string SectorCode, string Arm);

    public static IEndpointRouteBuilder MapRandomizationApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/enrollment").WithTags("Enrollment")
            .MapPost("/randomizations", Randomize).RequireAuthorization(Roles.Manager)
            .WithSummary("Randomize every registered sector to treatment or control with a recorded seed (once).");
        return app;
    }

    static async Task<Results<Created<RandomizationResult>, ProblemHttpResult>> Randomize(
        RandomizeRequest request, ClaimsPrincipal user, [FromKeyedServices(EnrollmentService.Name)] ServiceDatabase database,
        TimeProvider clock, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        // Locked: a concurrent request waits, then sees the arms this one wrote and gets 409 instead of redoing the allocation.
        var sectors = await work.QueryAsync<SectorRow>($"SELECT id AS Id, code AS Code, arm AS Arm FROM sectors {work.Dialect.ForUpdate()}", ct: ct);
        if (sectors.Count < 2)
            return TypedResults.Problem(title: "Not enough sectors", detail: "At least two sectors are needed to randomize.", statusCode: 409);
        if (sectors.Any(s => s.Arm is not null))
            return TypedResults.Problem(title: "Already randomized", detail: "Sectors were already randomized; an allocation is never redone.", statusCode: 409);

        var allocation = SectorRandomizer.Allocate(sectors.Select(s => s.Code), request.Seed);
        var ids = sectors.ToDictionary(s => s.Code, s => s.Id);
        var randomizationId = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        foreach (var (code, arm) in allocation)
            await work.ExecuteAsync("UPDATE sectors SET arm = @arm, randomization_id = @randomizationId WHERE id = @id",
                new { arm, randomizationId, id = ids[code] }, ct);
        var assignments = allocation.Select(a => new SectorAssignment(a.Code, a.Arm)).ToList();
        await work.ExecuteAsync("""
            INSERT INTO randomizations (id, seed, requested_by, created_at, assignments)
            VALUES (@randomizationId, @Seed, @requestedBy, @now, @json)
            """, new { randomizationId, request.Seed, requestedBy = user.Identity?.Name ?? "", now, json = JsonSerializer.Serialize(assignments) }, ct);
        work.Publish(new SectorsRandomized(randomizationId, request.Seed, allocation.Select(a => new SectorArm(ids[a.Code], a.Arm)).ToList(), now));
        await work.CommitAsync(ct);
        return TypedResults.Created($"/api/enrollment/randomizations/{randomizationId}", new RandomizationResult(randomizationId, request.Seed, assignments));
    }

    sealed record SectorRow
    {
        public Guid Id { get; init; }
        public string Code { get; init; } = "";
        public string? Arm { get; init; }
    }
}

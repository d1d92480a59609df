using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using System.Data.Common;
using Reminders.Platform.Hosting;

namespace Reminders.Scheduler.Training;

/// <summary>Venues (with their capacity) and trainers that cohorts are planned into.</summary>
public static class ResourcesApi
{
    public sealed record VenueRequest(string? Name, int? Capacity, string? Address);

    public sealed record TrainerRequest(string? Name);

    public sealed record VenueView(Guid VenueId, string Name, int Capacity, string? Address);

    public sealed record TrainerView(Guid TrainerId, string Name);

    public static IEndpointRouteBuilder MapTrainingResourcesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/scheduler").WithTags("Scheduler").RequireAuthorization(Roles.Manager);
        api.MapPost("/venues", AddVenue).WithSummary("Register a training venue with its capacity.");
        api.MapGet("/venues", ListVenues).WithSummary("Every venue with its capacity and address.");
        api.MapPost("/trainers", AddTrainer).WithSummary("Register a trainer.");
        api.MapGet("/trainers", ListTrainers).WithSummary("Every trainer.");
        return app;
    }

    static async Task<Results<Created<VenueView>, ProblemHttpResult>> AddVenue(
        VenueRequest request, SchedulerDatabase database, TimeProvider clock, CancellationToken ct)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 120 || name.Any(char.IsControl)) return Refusals.Invalid("name", "A venue needs a name of 1 to 120 characters.");
        if (request.Capacity is not (>= 1 and <= 1000)) return Refusals.Invalid("capacity", "capacity must be 1 to 1000 people.");
        if (request.Address is { Length: > 300 }) return Refusals.Invalid("address", "address has at most 300 characters.");
        var venue = new VenueView(Guid.CreateVersion7(), name, request.Capacity.Value, request.Address?.Trim());
        try
        {
            await using var work = await database.BeginAsync(ct);
            await work.ExecuteAsync("""
                INSERT INTO venues (venue_id, name, capacity, address, created_at) VALUES (@VenueId, @Name, @Capacity, @Address, @now)
                """, new { venue.VenueId, venue.Name, venue.Capacity, venue.Address, now = clock.GetUtcNow() }, ct);
            await work.CommitAsync(ct);
        }
        catch (DbException ex) when (ex.IsUniqueViolation())
        {
            return Refusals.Conflict("name", "Venue exists", $"A venue named {name} is already registered.");
        }
        return TypedResults.Created($"/api/scheduler/venues/{venue.VenueId}", venue);
    }

    static async Task<Results<Created<TrainerView>, ProblemHttpResult>> AddTrainer(
        TrainerRequest request, SchedulerDatabase database, TimeProvider clock, CancellationToken ct)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 120 || name.Any(char.IsControl)) return Refusals.Invalid("name", "A trainer needs a name of 1 to 120 characters.");
        var trainer = new TrainerView(Guid.CreateVersion7(), name);
        try
        {
            await using var work = await database.BeginAsync(ct);
            await work.ExecuteAsync("INSERT INTO trainers (trainer_id, name, created_at) VALUES (@TrainerId, @Name, @now)",
                new { trainer.TrainerId, trainer.Name, now = clock.GetUtcNow() }, ct);
            await work.CommitAsync(ct);
        }
        catch (DbException ex) when (ex.IsUniqueViolation())
        {
            return Refusals.Conflict("name", "Trainer exists", $"A trainer named {name} is already registered.");
        }
        return TypedResults.Created($"/api/scheduler/trainers/{trainer.TrainerId}", trainer);
    }

    static async Task<Ok<List<VenueView>>> ListVenues(SchedulerDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<VenueRow>(new CommandDefinition(
            "SELECT venue_id, name, capacity, address FROM venues ORDER BY name", cancellationToken: ct));
        return TypedResults.Ok(rows.Select(r => new VenueView(r.VenueId, r.Name, (int)r.Capacity, r.Address)).ToList());
    }

    static async Task<Ok<List<TrainerView>>> ListTrainers(SchedulerDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<TrainerRow>(new CommandDefinition(
            "SELECT trainer_id, name FROM trainers ORDER BY name", cancellationToken: ct));
        return TypedResults.Ok(rows.Select(r => new TrainerView(r.TrainerId, r.Name)).ToList());
    }

    sealed record VenueRow
    {
        public Guid VenueId { get; init; }
        public string Name { get; init; } = "";
        public long Capacity { get; init; }
        public string? Address { get; init; }
    }

    sealed record TrainerRow
    {
        public Guid TrainerId { get; init; }
        public string Name { get; init; } = "";
    }
}

using System.Buffers.Text;
using System.Data.Common;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Scheduler.Training;

/// <summary>
/// Calendar subscription links: calendar apps send no header, so the secret is a token in the URL, one in force per venue
/// and per trainer. A manager makes one (which replaces the one in force) or revokes it; the token is shown once and only
/// its SHA-256 is kept, so no one can list or recover it. The feed itself needs no key.
/// </summary>
public static class FeedLinksApi
{
    /// <summary>The new link, shown once: <see cref="Url"/> for Google ("From URL"), <see cref="WebcalUrl"/> for Outlook and Apple.</summary>
    public sealed record FeedLink(string Token, string Path, string Url, string WebcalUrl, DateTimeOffset CreatedAt, bool Replaced);

    /// <summary>Whether a link is in force, made by whom and when; never the token.</summary>
    public sealed record FeedLinkStatus(bool Active, DateTimeOffset? CreatedAt, string? CreatedBy);

    public static IEndpointRouteBuilder MapFeedLinksApi(this IEndpointRouteBuilder app)
    {
        var manage = app.MapGroup("/api/scheduler").WithTags("Scheduler").RequireAuthorization(Roles.Manager);
        foreach (var owner in new[] { FeedOwner.Venue, FeedOwner.Trainer })
        {
            var path = $"/{owner.Table}/{{id:guid}}/feed-token";
            manage.MapPost(path, (Guid id, HttpRequest request, ClaimsPrincipal user, SchedulerDatabase database,
                    TimeProvider clock, CancellationToken ct) => CreateAsync(owner, id, request, user, database, clock, ct))
                .WithSummary($"A new calendar subscription link for the {owner.Kind}'s sessions (the link in force stops working); the token is shown only now.");
            manage.MapGet(path, (Guid id, SchedulerDatabase database, CancellationToken ct) => StatusAsync(owner, id, database, ct))
                .WithSummary($"Whether the {owner.Kind} has a calendar link in force, made by whom and when (never the token).");
            manage.MapDelete(path, (Guid id, ClaimsPrincipal user, SchedulerDatabase database, TimeProvider clock,
                    CancellationToken ct) => RevokeAsync(owner, id, user, database, clock, ct))
                .WithSummary($"Revoke the {owner.Kind}'s calendar link: calendars subscribed to it get nothing more.");
        }
        app.MapGet("/api/scheduler/feeds/{token}.ics", FeedAsync).WithTags("Scheduler").AllowAnonymous()
            .WithSummary("A venue's or trainer's sessions as iCalendar, for calendar apps: the link is the secret (404 once revoked or replaced).");
        return app;
    }

    static async Task<Results<Created<FeedLink>, ProblemHttpResult>> CreateAsync(FeedOwner owner, Guid id, HttpRequest request, ClaimsPrincipal user,
        SchedulerDatabase database, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var by = user.Identity?.Name ?? "";
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await using var work = await database.BeginAsync(ct);
        // One link in force per owner: two managers making one at once take turns.
        await work.LockAsync($"feed-token-{owner.Kind}-{id}", ct);
        if (!await ExistsAsync(work.Connection, work.Transaction, owner, id, ct)) return NoSuchOwner(owner, id);
        var replaced = await work.ExecuteAsync("""
            UPDATE feed_tokens SET revoked_at = @now, revoked_by = @by WHERE owner_kind = @Kind AND owner_id = @id AND revoked_at IS NULL
            """, new { now, by, owner.Kind, id }, ct);
        await work.ExecuteAsync("""
            INSERT INTO feed_tokens (token_hash, owner_kind, owner_id, created_by, created_at) VALUES (@hash, @Kind, @id, @by, @now)
            """, new { hash = Hash(token), owner.Kind, id, by, now }, ct);
        await work.CommitAsync(ct);
        var path = $"/api/scheduler/feeds/{token}.ics";
        var hostAndPath = $"{request.Host}{request.PathBase}{path}";
        return TypedResults.Created($"/api/scheduler/{owner.Table}/{id}/feed-token",
            new FeedLink(token, path, $"{request.Scheme}://{hostAndPath}", $"webcal://{hostAndPath}", now, replaced > 0));
    }

    static async Task<Results<Ok<FeedLinkStatus>, ProblemHttpResult>> StatusAsync(FeedOwner owner, Guid id, SchedulerDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        if (!await ExistsAsync(connection, null, owner, id, ct)) return NoSuchOwner(owner, id);
        var link = await connection.QuerySingleOrDefaultAsync<LinkRow>(new CommandDefinition("""
            SELECT created_at, created_by FROM feed_tokens WHERE owner_kind = @Kind AND owner_id = @id AND revoked_at IS NULL
            """, new { owner.Kind, id }, cancellationToken: ct));
        return TypedResults.Ok(new FeedLinkStatus(link is not null, link?.CreatedAt, link?.CreatedBy));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(FeedOwner owner, Guid id, ClaimsPrincipal user, SchedulerDatabase database,
        TimeProvider clock, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        if (!await ExistsAsync(work.Connection, work.Transaction, owner, id, ct)) return NoSuchOwner(owner, id);
        var revoked = await work.ExecuteAsync("""
            UPDATE feed_tokens SET revoked_at = @now, revoked_by = @by WHERE owner_kind = @Kind AND owner_id = @id AND revoked_at IS NULL
            """, new { now = clock.GetUtcNow(), by = user.Identity?.Name ?? "", owner.Kind, id }, ct);
        if (revoked == 0)
            return Refusals.NotFound(owner.Field, "No calendar link", $"The {owner.Kind} {id} has no calendar link in force to revoke.");
        await work.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<ContentHttpResult, ProblemHttpResult>> FeedAsync(string token, SchedulerDatabase database,
        CalendarFeed feed, CancellationToken ct)
    {
        OwnerRow? owner = null;
        if (token.Length is > 0 and <= 100)
        {
            await using var connection = await database.OpenAsync(ct);
            owner = await connection.QuerySingleOrDefaultAsync<OwnerRow>(new CommandDefinition("""
                SELECT owner_kind AS Kind, owner_id AS Id FROM feed_tokens WHERE token_hash = @hash AND revoked_at IS NULL
                """, new { hash = Hash(token) }, cancellationToken: ct));
        }
        // Unknown, revoked and replaced links answer alike, so a link says nothing about links that once worked.
        if (owner is null || await feed.RenderAsync(FeedOwner.Of(owner.Kind), owner.Id, ct) is not { } ics)
            return Refusals.NotFound("token", "Unknown calendar link",
                "No calendar has this link: it was revoked or replaced by a newer one, or never existed. Ask a program manager for the current link.");
        return TypedResults.Content(ics, CalendarFeed.ContentType);
    }

    static async Task<bool> ExistsAsync(DbConnection connection, DbTransaction? transaction, FeedOwner owner, Guid id, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            $"SELECT 1 FROM {owner.Table} WHERE {owner.Column} = @id", new { id }, transaction, cancellationToken: ct)) is not null;

    static ProblemHttpResult NoSuchOwner(FeedOwner owner, Guid id) => Refusals.NotFound(owner.Field, "Not found", $"No {owner.Kind} has id {id}.");

    /// <summary>What is stored of a token: its SHA-256, lowercase hex.</summary>
    static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    sealed record LinkRow
    {
        public DateTimeOffset CreatedAt { get; init; }
        public string CreatedBy { get; init; } = "";
    }

    sealed record OwnerRow
    {
        public string Kind { get; init; } = "";
        public Guid Id { get; init; }
    }
}

using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Delivery;

/// <summary>Sender pacing as it stands: each sender's rate and how far ahead its slots are taken, and what the provider took lately.</summary>
public static class SendersApi
{
    /// <param name="Sender">The sender number, pool number or Messaging Service sid (ours, never an officer's).</param>
    /// <param name="NextSlotAt">The next free slot (null: nothing sent from it yet).</param>
    /// <param name="BookedSeconds">How long a new SMS would wait for this sender now (0: it may send at once).</param>
    public sealed record SenderPace(string Sender, DateTimeOffset? NextSlotAt, double BookedSeconds);

    /// <param name="MessagesPerSecondPerSender">The configured rate per sender (0: pacing off).</param>
    /// <param name="AcceptedLastMinute">SMS the provider accepted in the last minute, from every sender.</param>
    /// <param name="CredentialsPaused">Set while sending is paused because the provider refuses the credentials (null: sending goes on).</param>
    public sealed record SendingPace(
        DateTimeOffset Now, double MessagesPerSecondPerSender, IReadOnlyList<SenderPace> Senders, long AcceptedLastMinute, long AcceptedLastHour,
        CredentialsPause? CredentialsPaused = null);

    /// <param name="Since">When the provider first refused the credentials.</param>
    /// <param name="Reason">Its last refusal, code and text ("20003: Authenticate"); no SMS fails for it, each waits.</param>
    public sealed record CredentialsPause(DateTimeOffset Since, string? Reason);

    public static IEndpointRouteBuilder MapSendersApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/messaging").WithTags("Messaging")
            .MapGet("/senders", Pace).RequireAuthorization(Roles.Manager)
            .WithSummary("Sender pacing: the rate per sender, each sender's next free slot and wait, SMS accepted in the last minute and hour, " +
                         "and whether sending is paused because the provider refuses the credentials (since when, and why).");
        return app;
    }

    static async Task<Ok<SendingPace>> Pace(MessagingDatabase database, IOptions<TwilioOptions> options,
        ProviderCredentials credentials, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(ct);
        var slots = (await connection.QueryAsync<SlotRow>(new CommandDefinition(
            "SELECT sender, next_slot_at FROM sender_pace", cancellationToken: ct))).ToDictionary(s => s.Sender, s => s.NextSlotAt);
        var senders = options.Value.SenderKeys.Select(sender =>
        {
            DateTimeOffset? next = slots.TryGetValue(sender, out var at) ? at : null;
            return new SenderPace(sender, next, next is { } slot && slot > now ? Math.Round((slot - now).TotalSeconds, 1) : 0);
        }).ToList();
        var accepted = await connection.QuerySingleAsync<AcceptedRow>(new CommandDefinition("""
            SELECT COALESCE(SUM(CASE WHEN accepted_at >= @minute THEN 1 ELSE 0 END), 0) AS LastMinute, COUNT(*) AS LastHour
            FROM outbound_sms WHERE accepted_at >= @hour
            """, new { minute = now.AddMinutes(-1), hour = now.AddHours(-1) }, cancellationToken: ct));
        var paused = credentials.Pause is { } pause ? new CredentialsPause(pause.Since, pause.Reason) : null;
        return TypedResults.Ok(new SendingPace(now, options.Value.MessagesPerSecondPerSender, senders, accepted.LastMinute, accepted.LastHour, paused));
    }

    sealed record SlotRow
    {
        public string Sender { get; init; } = "";
        public DateTimeOffset NextSlotAt { get; init; }
    }

    sealed record AcceptedRow
    {
        public long LastMinute { get; init; }
        public long LastHour { get; init; }
    }
}

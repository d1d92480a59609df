using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;
using Reminders.Contracts;
using Reminders.Local.Demo;
using Reminders.Messaging.Delivery;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Xunit.Abstractions;

namespace Reminders.EndToEnd.Tests;

/// <summary>The four services on a clock two minutes before the sending window opens (08:58 in the protocol's zone, running twice as fast), releasing held sends every second.</summary>
public sealed class BeforeTheWindowOpensFixture : DistributedFixture
{
    public static readonly TimeZoneInfo Zone = ProtocolLoader.LoadDefault().TimeZone;
    public Dictionary<string, string?> ClockSettings { get; } = At(new TimeOnly(8, 58));

    static Dictionary<string, string?> At(TimeOnly wallClock)
    {
        var realNow = DateTimeOffset.UtcNow;
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(realNow, Zone).DateTime);
        var at = QuietHours.AtLocal(date, wallClock, Zone);
        if (at < realNow) at = QuietHours.AtLocal(date.AddDays(1), wallClock, Zone);
        return new()
        {
            [$"{StudyClockOptions.Section}:{nameof(StudyClockOptions.StudyStart)}"] = at.ToString("O", CultureInfo.InvariantCulture),
            [$"{StudyClockOptions.Section}:{nameof(StudyClockOptions.RealStart)}"] = realNow.ToString("O", CultureInfo.InvariantCulture),
            // Twice real time: the window opens 60 s after the start instead of 120 (the set-up takes about 25 s).
            [$"{StudyClockOptions.Section}:{nameof(StudyClockOptions.Speed)}"] = "2",
        };
    }

    protected override Dictionary<string, string?> Clock() => new(ClockSettings);

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        [$"{DeferredSendOptions.Section}:{nameof(DeferredSendOptions.IntervalSeconds)}"] = "1",
    };
}

/// <summary>
/// Quiet hours defer, never drop, across four processes over RabbitMQ and PostgreSQL: SendSms put on the bus before 09:00
/// (through the Scheduler's outbox, as a late dispatch would be) are held; the one whose late window is still open at 09:00
/// reaches the provider once then, the other is skipped missed_window at once and the Scheduler closes its row so.
/// </summary>
[Collection(DistributedCollection.Name)]
public sealed class QuietHoursOnPostgresTests(BeforeTheWindowOpensFixture services, ITestOutputHelper output)
    : IClassFixture<BeforeTheWindowOpensFixture>, IDisposable
{
    public void Dispose()
    {
        foreach (var (name, process) in services.Services)
            output.WriteLine($"--- {name}\n{string.Join('\n', process.Output.TakeLast(30))}");
    }

    /// <summary>Polls <paramref name="service"/>'s schema as its own database user (each may read only its own).</summary>
    async Task<T> WaitAsync<T>(string service, string sql, object param, Func<T, bool> done, string what, double seconds = 30)
    {
        await using var connection = new NpgsqlConnection(services.ServiceConnectionStrings[service]);
        return (await SmsSteps.WaitForAsync(async () => await connection.QuerySingleOrDefaultAsync<T>(sql, param), r => r is not null && done(r), what, seconds))!;
    }

    sealed record Outbound
    {
        public string State { get; init; } = "";
        public string? RefusalReason { get; init; }
        public DateTime? DeferredUntil { get; init; }
        public DateTime? AcceptedAt { get; init; }
        public int Attempts { get; init; }
    }

    [Fact]
    public async Task Before_09_00_a_SendSms_is_held_and_sent_once_at_09_00_and_one_whose_late_window_closes_first_is_skipped_missed_window()
    {
        var clock = StudyClock.FromSettings(services.ClockSettings);
        var opens = ProtocolLoader.LoadDefault().QuietHours.NextAllowed(clock.GetUtcNow(), BeforeTheWindowOpensFixture.Zone).ToUniversalTime();
        var client = services.Client;
        await client.LoadSectorsAsync(SkeletonFlow.Sectors);
        await client.ImportRosterAsync(SkeletonFlow.Roster);
        await client.RandomizeAsync(SkeletonFlow.Seed, ["alcaldia"]);
        var arms = (await client.SectorsAsync()).EnumerateArray().ToDictionary(s => s.GetProperty("code").GetString()!, s => s.GetProperty("arm").GetString()!);
        var officerId = (await client.OfficersAsync()).EnumerateArray()
            .First(o => arms[o.GetProperty("sectorCode").GetString()!] == StudyArms.Treatment).GetProperty("id").GetGuid();
        await WaitAsync<long>("messaging", """
            SELECT COUNT(*) FROM messaging.contacts c JOIN messaging.officer_arms a ON a.officer_id = c.officer_id WHERE c.officer_id = @officerId
            """, new { officerId }, n => n == 1, "Messaging never learned the officer's phone and arm");
        Assert.True(clock.GetUtcNow() < opens.AddSeconds(-10), $"The set-up took until {clock.GetUtcNow():O}, too close to the window's opening at {opens:O}");

        var (held, missed) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var (heldBody, missedBody) = ($"Retenido hasta las 9 {Guid.NewGuid():N}", $"Plazo vencido {Guid.NewGuid():N}");
        await using (var connection = new NpgsqlConnection(services.ServiceConnectionStrings["scheduler"]))
        {
            var now = clock.GetUtcNow();
            // The missed one was dispatched by the Scheduler (its row), its late window ending a minute before the window opens.
            await connection.ExecuteAsync("""
                INSERT INTO scheduler.planned_sms (sms_id, officer_id, purpose, kind, reminder_number, body, due_at, window_ends_at, protocol_version,
                    status, planned_by, planned_at, dispatched_at)
                VALUES (@missed, @officerId, 'reminder', 'reminder', 1, @missedBody, @now, @windowEnds, 'test', 'dispatched', 'test', @now, @now)
                """, new { missed, officerId, missedBody, now, windowEnds = opens.AddMinutes(-1) });
            var bodies = new[]
            {
                JsonSerializer.Serialize(new SendSms(held, officerId, SmsPurposes.Reminder, heldBody, now, SendBy: opens.AddHours(3)), JsonSerializerOptions.Web),
                JsonSerializer.Serialize(new SendSms(missed, officerId, SmsPurposes.Reminder, missedBody, now, SendBy: opens.AddMinutes(-1)), JsonSerializerOptions.Web),
            };
            await connection.ExecuteAsync("""
                INSERT INTO scheduler.outbox_messages (message_id, message_type, destination, body, created_at)
                SELECT gen_random_uuid(), @type, @queue, b, now() FROM unnest(@bodies) b
                """, new { type = typeof(SendSms).FullName, queue = QueueNames.SendSms, bodies });
        }

        const string outbound = """
            SELECT state AS State, refusal_reason AS RefusalReason, deferred_until AS DeferredUntil, accepted_at AS AcceptedAt, attempts AS Attempts
            FROM messaging.outbound_sms WHERE sms_id = @id
            """;
        var skipped = await WaitAsync<Outbound>("messaging", outbound, new { id = missed }, r => r.State == "refused", $"SMS {missed} was never skipped");
        Assert.Equal(SmsSkipReasons.MissedWindow, skipped.RefusalReason);
        var planned = await WaitAsync<(string, string)>("scheduler", "SELECT status, reason FROM scheduler.planned_sms WHERE sms_id = @missed", new { missed },
            r => r.Item1 == "skipped", "The Scheduler never closed the missed row");
        Assert.Equal(("skipped", SmsSkipReasons.MissedWindow), planned);
        var waiting = await WaitAsync<Outbound>("messaging", outbound, new { id = held }, r => r.State is "deferred" or "accepted", $"SMS {held} was never held");
        Assert.Equal(("deferred", opens.UtcDateTime), (waiting.State, waiting.DeferredUntil));

        var sent = await WaitAsync<Outbound>("messaging", outbound, new { id = held }, r => r.State == "accepted", $"SMS {held} was never sent after {opens:O}", 180);
        Assert.True(sent.AcceptedAt >= opens.UtcDateTime, $"Accepted at {sent.AcceptedAt:O}, before the window opened at {opens:O}");
        Assert.Equal(1, sent.Attempts);
        var log = await client.SimulatorLogCsvAsync();
        Assert.Single(log.Split("\r\n"), line => line.Contains(heldBody, StringComparison.Ordinal));
        Assert.DoesNotContain(missedBody, log, StringComparison.Ordinal);
    }
}

using System.Collections.Concurrent;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Protocol;
using Reminders.Scheduler.Training;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// The real Scheduler host (SQLite in a temp folder, in-memory bus) on a study clock fixed at <see cref="StudyNow"/>,
/// with its replica tables seeded directly, a recorder of the RemindersPlanned it publishes, and of the closings it consumed.
/// </summary>
public class ReminderPlansHost : IAsyncLifetime
{
    /// <summary>Wednesday 20 January 2027, 11:00 in Mexico City.</summary>
    public static readonly DateTimeOffset StudyNow = new(2027, 1, 20, 17, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Cdmx = TimeSpan.FromHours(-6);
    static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    readonly string folder = Path.Combine(Path.GetTempPath(), "reminders-plan-tests-" + Guid.NewGuid().ToString("N"));
    readonly Func<string, string>? protocolEdit;
    readonly ConcurrentQueue<RemindersPlanned> planned = new();
    readonly ClosingsConsumed consumed = new();
    WebApplicationFactory<Trainer> app = null!;
    HostReceiveEndpointHandle? listener;

    public ReminderPlansHost() : this(null) { }

    /// <summary>A host reading the default protocol file as <paramref name="edit"/> changes it.</summary>
    protected ReminderPlansHost(Func<string, string>? edit) => protocolEdit = edit;

    public StudyProtocol Protocol => app.Services.GetRequiredService<StudyProtocol>();
    SchedulerDatabase Database => app.Services.GetRequiredService<SchedulerDatabase>();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        string? protocolPath = null;
        if (protocolEdit is not null)
        {
            protocolPath = Path.Combine(folder, "study-protocol.json");
            await File.WriteAllTextAsync(protocolPath, protocolEdit(ProtocolLoader.DefaultJson()));
        }
        app = new WebApplicationFactory<Trainer>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Database:SqliteFolder", folder);
            b.UseSetting("Bus:Transport", "InMemory");
            b.UseSetting("Auth:ApiKeys:0:Name", "manager");
            b.UseSetting("Auth:ApiKeys:0:Key", "manager-key-for-reminder-plan-tests");
            b.UseSetting("Auth:ApiKeys:0:Roles:0", "manager");
            b.UseSetting("Clock:StudyStart", StudyNow.ToString("O"));
            b.UseSetting("Clock:RealStart", DateTimeOffset.UtcNow.ToString("O"));
            // The dispatcher fires once at start, then not while a test asserts on planned rows.
            b.UseSetting("Scheduler:Dispatch:IntervalMilliseconds", "3600000");
            if (protocolPath is not null) b.UseSetting(ProtocolLoader.PathKey, protocolPath);
        });

        var bus = app.Services.GetRequiredService<IBus>();
        bus.ConnectConsumeObserver(consumed);
        listener = bus.ConnectReceiveEndpoint("reminder-plan-tests-" + Guid.NewGuid().ToString("N"),
            e => e.Handler<RemindersPlanned>(context => { planned.Enqueue(context.Message); return Task.CompletedTask; }));
        await listener.Ready;

        // Rows due in the past must not be dispatched by the start-up run after they are planned: once it fired, the next run is an hour away.
        var quartz = await app.Services.GetRequiredKeyedService<ISchedulerFactory>(SchedulerService.Name).LookupScheduler(SchedulerService.Name)
            ?? throw new InvalidOperationException("No Quartz scheduler named " + SchedulerService.Name);
        await Eventually(async () => (await quartz.GetTrigger(new TriggerKey("dispatch-due-sms-every-interval", SchedulerService.Name)))?.NextFireTimeUtc > DateTimeOffset.UtcNow.AddMinutes(30),
            "the dispatcher's start-up run");
    }

    /// <summary>A sector in <paramref name="arm"/> (or never randomized when null).</summary>
    readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, (Guid RandomizationId, string Arm)> sectorArms = new();

    public async Task<Guid> SectorAsync(string? arm = StudyArms.Treatment)
    {
        var sectorId = Guid.NewGuid();
        if (arm is not null)
        {
            var randomizationId = Guid.CreateVersion7();
            await ExecuteAsync("INSERT INTO sector_arms (sector_id, arm, randomization_id) VALUES (@sectorId, @arm, @randomizationId)",
                new { sectorId, arm, randomizationId });
            sectorArms[sectorId] = (randomizationId, arm);
        }
        return sectorId;
    }

    /// <summary>An enrolled officer of the sector, in study <paramref name="status"/> (no status row when null: active).</summary>
    public async Task<Guid> OfficerAsync(Guid sectorId, string role = StudyRoles.Officer, string? status = null)
    {
        var officerId = Guid.NewGuid();
        await ExecuteAsync("INSERT INTO officers (officer_id, sector_id, role, enrolled_at) VALUES (@officerId, @sectorId, @role, @at)",
            new { officerId, sectorId, role, at = StudyNow.AddDays(-90) });
        // Randomized with their sector: the arm of randomization every plan reads.
        if (sectorArms.TryGetValue(sectorId, out var draw))
            await ExecuteAsync("""
                INSERT INTO officer_arms (officer_id, arm, sector_id, randomization_id, enrolled_after_randomization, assigned_at)
                VALUES (@officerId, @Arm, @sectorId, @RandomizationId, @no, @at)
                """, new { officerId, draw.Arm, sectorId, draw.RandomizationId, no = false, at = StudyNow.AddDays(-80) });
        if (status is not null)
            await ExecuteAsync("INSERT INTO officer_statuses (officer_id, status, changed_at) VALUES (@officerId, @status, @at)",
                new { officerId, status, at = StudyNow.AddDays(-1) });
        return officerId;
    }

    /// <summary>The roster's consent to SMS, as the replica records it.</summary>
    public Task ConsentAsync(Guid officerId, bool consent) =>
        ExecuteAsync("INSERT INTO officer_consents (officer_id, consent, changed_at) VALUES (@officerId, @consent, @at)",
            new { officerId, consent, at = StudyNow.AddDays(-1) });

    /// <summary>Moves the officer to another sector in the replica, as a transfer does (their arm of randomization stays).</summary>
    public Task MoveAsync(Guid officerId, Guid sectorId) =>
        ExecuteAsync("UPDATE officers SET sector_id = @sectorId WHERE officer_id = @officerId", new { officerId, sectorId });

    /// <summary>A cohort of the sector with one 09:00 session per day; the <paramref name="cancelled"/> days' sessions are cancelled.</summary>
    public async Task<Guid> CohortAsync(Guid sectorId, IReadOnlyList<DateOnly> days, string role = StudyRoles.Officer, IReadOnlyList<DateOnly>? cancelled = null)
    {
        var (cohortId, venueId, trainerId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var zone = Protocol.TimeZone;
        var hours = Protocol.Training.For(role).SessionLength;
        await using var work = await Database.BeginAsync();
        await work.ExecuteAsync("INSERT INTO venues (venue_id, name, capacity, created_at) VALUES (@venueId, @name, 40, @at)",
            new { venueId, name = "Aula " + venueId, at = StudyNow.AddDays(-60) });
        await work.ExecuteAsync("INSERT INTO trainers (trainer_id, name, created_at) VALUES (@trainerId, @name, @at)",
            new { trainerId, name = "Instructor " + trainerId, at = StudyNow.AddDays(-60) });
        await work.ExecuteAsync("""
            INSERT INTO cohorts (cohort_id, sector_id, role, number, venue_id, trainer_id, status, protocol_version, created_by, created_at)
            VALUES (@cohortId, @sectorId, @role, 1, @venueId, @trainerId, 'planned', @version, 'reminder-plan-tests', @at)
            """, new { cohortId, sectorId, role, venueId, trainerId, version = Protocol.Version, at = StudyNow.AddDays(-60) });
        await work.ExecuteAsync("""
            INSERT INTO sessions (session_id, cohort_id, day_number, local_date, starts_at, ends_at, venue_id, trainer_id, status)
            VALUES (@sessionId, @cohortId, @dayNumber, @date, @startsAt, @endsAt, @venueId, @trainerId, @status)
            """, days.Select((day, i) =>
            {
                var startsAt = QuietHours.AtLocal(day, new TimeOnly(9, 0), zone);
                return new
                {
                    sessionId = Guid.NewGuid(), cohortId, dayNumber = i + 1, date = day.ToString("yyyy-MM-dd"), startsAt, endsAt = startsAt + hours,
                    venueId, trainerId, status = cancelled?.Contains(day) == true ? "cancelled" : "scheduled",
                };
            }));
        await work.CommitAsync();
        return cohortId;
    }

    /// <summary>Publishes the closing with <paramref name="messageId"/> (a new one when null) and returns the id it went with.</summary>
    public async Task<Guid> CloseAsync(Guid cohortId, Guid sectorId, IReadOnlyList<OfficerAttendanceTotal> officers, string role = StudyRoles.Officer, Guid? messageId = null,
        DateTimeOffset? closedAt = null)
    {
        var id = messageId ?? Guid.NewGuid();
        await app.Services.GetRequiredService<IBus>().Publish(new CohortAttendanceClosed(cohortId, sectorId, role, officers, closedAt ?? StudyNow.AddMinutes(-5)),
            context => context.MessageId = id);
        return id;
    }

    /// <summary>Waits until the consumer has handled <paramref name="times"/> deliveries of the closing sent with <paramref name="messageId"/>.</summary>
    public Task WaitConsumedAsync(Guid messageId, int times = 1) =>
        Eventually(() => Task.FromResult(consumed.Count(messageId) >= times), $"{times} consumption(s) of closing {messageId}");

    public async Task<IReadOnlyList<ReminderRow>> RemindersAsync(Guid cohortId, int expected)
    {
        IReadOnlyList<ReminderRow> rows = [];
        await Eventually(async () => (rows = await RemindersAsync(cohortId)).Count >= expected, $"{expected} reminder rows of cohort {cohortId}");
        return rows;
    }

    public async Task<IReadOnlyList<ReminderRow>> RemindersAsync(Guid cohortId)
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.QueryAsync<ReminderRow>("""
            SELECT sms_id AS SmsId, officer_id AS OfficerId, purpose AS Purpose, kind AS Kind, cohort_id AS CohortId, reminder_number AS ReminderNumber,
                   body AS Body, due_at AS DueAt, window_ends_at AS WindowEndsAt, cutoff_at AS CutoffAt, protocol_version AS ProtocolVersion,
                   status AS Status, reason AS Reason, planned_by AS PlannedBy, planned_at AS PlannedAt, closed_at AS ClosedAt
            FROM planned_sms WHERE cohort_id = @cohortId ORDER BY officer_id, reminder_number
            """, new { cohortId })).AsList();
    }

    public async Task<long> CountAsync(string sql, object? param = null)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, param);
    }

    /// <summary>The RemindersPlanned of the cohort received so far.</summary>
    public IReadOnlyList<RemindersPlanned> PlannedEvents(Guid cohortId) => [.. planned.Where(e => e.CohortId == cohortId)];

    public async Task<RemindersPlanned> PlannedEventAsync(Guid cohortId)
    {
        await Eventually(() => Task.FromResult(PlannedEvents(cohortId).Count > 0), $"RemindersPlanned of cohort {cohortId}");
        return PlannedEvents(cohortId)[0];
    }

    async Task ExecuteAsync(string sql, object param)
    {
        await using var work = await Database.BeginAsync();
        await work.ExecuteAsync(sql, param);
        await work.CommitAsync();
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; a timeout names <paramref name="what"/> was awaited.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {WaitLimit.TotalSeconds:0} s for {what}.");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        if (listener is not null) await listener.StopAsync();
        await app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>Successful consumptions of each CohortAttendanceClosed, by message id.</summary>
    sealed class ClosingsConsumed : IConsumeObserver
    {
        readonly ConcurrentDictionary<Guid, int> counts = new();

        public int Count(Guid messageId) => counts.GetValueOrDefault(messageId);

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.Message is CohortAttendanceClosed && context.MessageId is { } id) counts.AddOrUpdate(id, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;
        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }
}

public sealed record ReminderRow
{
    public Guid SmsId { get; init; }
    public Guid OfficerId { get; init; }
    public string Purpose { get; init; } = "";
    public string Kind { get; init; } = "";
    public Guid? CohortId { get; init; }
    public int? ReminderNumber { get; init; }
    public string Body { get; init; } = "";
    public DateTimeOffset DueAt { get; init; }
    public DateTimeOffset? WindowEndsAt { get; init; }
    public DateTimeOffset? CutoffAt { get; init; }
    public string ProtocolVersion { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Reason { get; init; }
    public string PlannedBy { get; init; } = "";
    public DateTimeOffset PlannedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
}

using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Outbox;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Training;

namespace Reminders.Scheduler.Tests.Infrastructure;

public sealed record SeededSector(Guid SectorId, string Code, IReadOnlyList<Guid> Officers);

/// <summary>A SendSms as the dispatcher wrote it to the outbox, with the queue it is addressed to.</summary>
public sealed record OutboxSendSms(string? Destination, SendSms Command);

/// <summary>
/// The real Scheduler host for one test: its own SQLite folder (or PostgreSQL database), the in-memory bus, a fake clock the
/// test moves, and API keys for a manager and a trainer. The outbox relay is off, so what the dispatcher sends stays in the
/// outbox table for the test to read; the recurring dispatch job is off unless asked for, so the test runs the dispatcher
/// itself and nothing else claims rows behind its back.
/// </summary>
public sealed class SchedulerHost : IAsyncDisposable
{
    public const string ManagerKey = "manager-key-for-scheduler-dispatch-tests";
    /// <summary>The manager key's name: what plan changes record as their author.</summary>
    public const string ManagerName = "coordinadora-norte";
    public const string TrainerKey = "trainer-key-for-scheduler-dispatch-tests";

    /// <summary>A venue tablet's key bound to one trainer (<c>Auth:ApiKeys:N:TrainerId</c>): it carries the trainer_id claim of <see cref="PazTrainerId"/>.</summary>
    public const string PazKey = "trainer-key-bound-to-instructora-paz";
    public static readonly Guid PazTrainerId = Guid.Parse("0193a000-0000-7000-8000-00000000a001");
    public const string RuizKey = "trainer-key-bound-to-mtro-ruiz";
    public static readonly Guid RuizTrainerId = Guid.Parse("0193a000-0000-7000-8000-00000000a002");

    /// <summary>The study's zone, America/Mexico_City: UTC−6 all year since 2022.</summary>
    public static readonly TimeSpan MexicoCity = TimeSpan.FromHours(-6);

    /// <summary>Monday 2 November 2026, 10:00 in Mexico City: a working day, inside sending hours (09:00–20:00).</summary>
    public static readonly DateTimeOffset MondayMorning = Local(2026, 11, 2, 10, 0);

    readonly string? folder;
    readonly WebApplicationFactory<Trainer> factory;

    SchedulerHost(DateTimeOffset now, string? folder, IReadOnlyDictionary<string, string?> settings, bool recurringDispatch)
    {
        this.folder = folder;
        Clock = new FakeTimeProvider(now);
        factory = new WebApplicationFactory<Trainer>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Bus:Transport", "InMemory");
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            b.UseSetting("Auth:ApiKeys:0:Name", ManagerName);
            b.UseSetting("Auth:ApiKeys:0:Key", ManagerKey);
            b.UseSetting("Auth:ApiKeys:0:Roles:0", "manager");
            b.UseSetting("Auth:ApiKeys:1:Name", "instructor");
            b.UseSetting("Auth:ApiKeys:1:Key", TrainerKey);
            b.UseSetting("Auth:ApiKeys:1:Roles:0", "trainer");
            var bound = new[] { ("instructora-paz", PazKey, PazTrainerId), ("mtro-ruiz", RuizKey, RuizTrainerId) };
            for (var i = 0; i < bound.Length; i++)
            {
                b.UseSetting($"Auth:ApiKeys:{i + 2}:Name", bound[i].Item1);
                b.UseSetting($"Auth:ApiKeys:{i + 2}:Key", bound[i].Item2);
                b.UseSetting($"Auth:ApiKeys:{i + 2}:Roles:0", "trainer");
                b.UseSetting($"Auth:ApiKeys:{i + 2}:TrainerId", bound[i].Item3.ToString());
            }
            if (!recurringDispatch) b.UseSetting($"{DispatchOptions.Section}:IntervalMilliseconds", "3600000");
            foreach (var (key, value) in settings) b.UseSetting(key, value);
            b.ConfigureTestServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
                if (!recurringDispatch)
                    foreach (var quartz in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(QuartzHostedService)).ToList())
                        services.Remove(quartz);
                KeepOutboxRowsInTheTable(services);
            });
        });
    }

    /// <summary>A host on SQLite in a fresh temp folder.</summary>
    public static SchedulerHost Sqlite(DateTimeOffset? now = null, bool recurringDispatch = false, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "reminders-scheduler-dispatch-" + Guid.NewGuid().ToString("N"));
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Database:SqliteFolder"] = folder };
        return Start(new SchedulerHost(now ?? MondayMorning, folder, all, recurringDispatch));
    }

    /// <summary>A host on PostgreSQL (the service's schema in <paramref name="connectionString"/>'s database), with Quartz clustered there.</summary>
    public static SchedulerHost Postgres(string connectionString, DateTimeOffset? now = null, bool recurringDispatch = true,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Database:Provider"] = "Postgres",
            ["Database:Postgres"] = connectionString,
        };
        return Start(new SchedulerHost(now ?? MondayMorning, null, all, recurringDispatch));
    }

    static SchedulerHost Start(SchedulerHost host)
    {
        _ = host.factory.Services;
        return host;
    }

    public static DateTimeOffset Local(int year, int month, int day, int hour, int minute) => new(year, month, day, hour, minute, 0, MexicoCity);

    public FakeTimeProvider Clock { get; }
    public DateTimeOffset Now => Clock.GetUtcNow();
    public IServiceProvider Services => factory.Services;
    public SchedulerDatabase Database => Services.GetRequiredService<SchedulerDatabase>();
    public DueSmsDispatcher Dispatcher => Services.GetRequiredService<DueSmsDispatcher>();

    public Task<DispatchRound> DispatchAsync() => Dispatcher.DispatchDueAsync(CancellationToken.None);

    public HttpClient Client(string? key = ManagerKey)
    {
        var client = factory.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public async Task<HttpResponseMessage> PostAsync(string path, object body, string? key = ManagerKey)
    {
        using var client = Client(key);
        return await client.PostAsJsonAsync(path, body);
    }

    // ---- the replicas, learned from Enrollment's events as in production ----

    readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, (Guid RandomizationId, string Arm)> randomizedSectors = new();

    public async Task PublishAsync<T>(T message) where T : class => await Services.GetRequiredService<IBus>().Publish(message);

    /// <summary>Registers a sector, randomizes it into <paramref name="arm"/> and enrolls its people; returns once the Scheduler knows them.</summary>
    public async Task<SeededSector> SeedSectorAsync(string code, string arm, int officers, int commanders = 0, string? timeZone = null)
    {
        var sectorId = Guid.NewGuid();
        var randomizationId = Guid.CreateVersion7();
        await PublishAsync(new SectorRegistered(sectorId, code, $"Sector {code}", Now, timeZone));
        await PublishAsync(new SectorsRandomized(randomizationId, 42, [new SectorArm(sectorId, arm)], Now));
        var people = new List<Guid>();
        for (var i = 0; i < officers + commanders; i++)
            people.Add(await EnrollAsync(sectorId, i < officers ? "officer" : "commander", wait: false));
        // As Enrollment does at the draw: everyone on the roster then takes the sector's arm.
        await PublishAsync(new OfficerArmsAssigned(randomizationId, people.Select(p => new OfficerArm(p, sectorId, arm, false)).ToList(), Now));
        randomizedSectors[sectorId] = (randomizationId, arm);
        await EventuallyAsync($"sector {code} with {people.Count} people and its arm", async () =>
            await ScalarAsync<long>("SELECT COUNT(*) FROM officers WHERE sector_id = @sectorId", new { sectorId }) == people.Count
            && await ScalarAsync<long>("SELECT COUNT(*) FROM officer_arms WHERE sector_id = @sectorId", new { sectorId }) == people.Count
            && await ScalarAsync<long>("SELECT COUNT(*) FROM sector_arms WHERE sector_id = @sectorId", new { sectorId }) == 1
            && await ScalarAsync<long>("SELECT COUNT(*) FROM sectors WHERE sector_id = @sectorId", new { sectorId }) == 1);
        return new SeededSector(sectorId, code, people);
    }

    /// <summary>Enrolls a new officer as a roster row does (<paramref name="consent"/>: the roster's consent to SMS).</summary>
    public async Task<Guid> EnrollAsync(Guid sectorId, string role = "officer", bool wait = true, bool consent = true)
    {
        var officerId = Guid.NewGuid();
        await PublishAsync(new OfficerEnrolled(officerId, sectorId, role, Now, consent));
        // Enrolled into an already randomized sector: the officer takes its arm, as Enrollment announces.
        var randomized = randomizedSectors.TryGetValue(sectorId, out var draw);
        if (randomized) await PublishAsync(new OfficerArmsAssigned(draw.RandomizationId, [new OfficerArm(officerId, sectorId, draw.Arm, true)], Now));
        if (wait) await EventuallyAsync($"officer {officerId}", async () => await ScalarAsync<long>("SELECT COUNT(*) FROM officers WHERE officer_id = @officerId", new { officerId }) == 1
            && (!randomized || await ScalarAsync<long>("SELECT COUNT(*) FROM officer_arms WHERE officer_id = @officerId", new { officerId }) == 1));
        return officerId;
    }

    /// <summary>Publishes the officer's new study status and waits until the replica holds it.</summary>
    public async Task ChangeStatusAsync(Guid officerId, string status)
    {
        await PublishAsync(new OfficerStatusChanged(officerId, status, OfficerStatuses.Active, "manager", Now));
        await EventuallyAsync($"status {status} of {officerId}", async () =>
            await ScalarAsync<string?>("SELECT status FROM officer_statuses WHERE officer_id = @officerId", new { officerId }) == status);
    }

    // ---- training resources and plans through the API ----

    public async Task<Guid> AddVenueAsync(string name, int capacity)
    {
        var response = await PostAsync("/api/scheduler/venues", new { name, capacity });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ResourcesApi.VenueView>())!.VenueId;
    }

    public async Task<Guid> AddTrainerAsync(string name)
    {
        var response = await PostAsync("/api/scheduler/trainers", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ResourcesApi.TrainerView>())!.TrainerId;
    }

    /// <summary>A trainer with a known id, as a deployment that bound a trainer's key to it (the API makes up ids).</summary>
    public async Task<Guid> AddTrainerAsync(string name, Guid trainerId)
    {
        await ExecuteAsync("INSERT INTO trainers (trainer_id, name, created_at) VALUES (@trainerId, @name, @now)", new { trainerId, name, now = Now });
        return trainerId;
    }

    public async Task<PlanResult> PlanAsync(string from, string to, params string[] sectorCodes)
    {
        var response = await PostAsync("/api/scheduler/plans", new { from, to, sectorCodes });
        Assert.True(response.IsSuccessStatusCode, $"plan: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<PlanResult>())!;
    }

    public async Task<CohortsApi.CohortDetail> CohortAsync(Guid cohortId)
    {
        using var client = Client();
        return (await client.GetFromJsonAsync<CohortsApi.CohortDetail>($"/api/scheduler/cohorts/{cohortId}"))!;
    }

    // ---- what the database holds ----

    public async Task<IReadOnlyList<PlannedSms>> PlannedSmsAsync(Guid? cohortId = null)
    {
        await using var connection = await Database.OpenAsync();
        var rows = await connection.QueryAsync<PlannedSms>(cohortId is null
            ? $"SELECT {PlannedSmsStore.Columns} FROM planned_sms ORDER BY due_at, officer_id"
            : $"SELECT {PlannedSmsStore.Columns} FROM planned_sms WHERE cohort_id = @cohortId ORDER BY due_at, officer_id", new { cohortId });
        return rows.AsList();
    }

    public async Task<PlannedSms> PlannedSmsByIdAsync(Guid smsId) =>
        (await PlannedSmsAsync()).Single(p => p.SmsId == smsId);

    /// <summary>Every SendSms the Scheduler's transactions wrote to its outbox, oldest first.</summary>
    public async Task<IReadOnlyList<OutboxSendSms>> SentSmsAsync()
    {
        await using var connection = await Database.OpenAsync();
        var rows = await connection.QueryAsync<OutboxRow>("""
            SELECT destination AS Destination, body AS Body FROM outbox_messages WHERE message_type = @type ORDER BY id
            """, new { type = typeof(SendSms).FullName });
        return rows.Select(r => new OutboxSendSms(r.Destination, JsonSerializer.Deserialize<SendSms>(r.Body, OutboxJson.Options)!)).ToList();
    }

    /// <summary>Writes planned SMS rows as the planners do (inside a unit of work), for the dispatcher to find.</summary>
    public async Task AddPlannedSmsAsync(params PlannedSms[] rows)
    {
        await using var work = await Database.BeginAsync();
        await work.AddPlannedSmsAsync(rows, CancellationToken.None);
        await work.CommitAsync();
    }

    /// <summary>A logistics SMS for <paramref name="officerId"/> due at <paramref name="dueAt"/>.</summary>
    public PlannedSms Row(Guid officerId, DateTimeOffset dueAt, DateTimeOffset? windowEndsAt = null, DateTimeOffset? cutoffAt = null,
        string kind = PlannedSmsKinds.Invitation) => new()
    {
        ReminderNumber = kind == PlannedSmsKinds.Reminder ? 1 : null,
        OfficerId = officerId,
        Purpose = SmsPurposes.Logistics,
        Kind = kind,
        Body = "Curso de Justicia Procedimental: inicia el lunes 9 de noviembre a las 09:00 h en Sede Norte. Confirme con OK. Atte. SSC-CDMX",
        DueAt = dueAt,
        WindowEndsAt = windowEndsAt,
        CutoffAt = cutoffAt,
        ProtocolVersion = "test",
        PlannedBy = "tests",
        PlannedAt = Now,
    };

    public async Task<T> ScalarAsync<T>(string sql, object? param = null)
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, param))!;
    }

    public async Task<int> ExecuteAsync(string sql, object? param = null)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteAsync(sql, param);
    }

    /// <summary>Polls until <paramref name="condition"/> holds (bus consumers run asynchronously), failing after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(string what, Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited in vain for {what}.");
            await Task.Delay(25);
        }
    }

    /// <summary>
    /// The relay would publish and delete the outbox rows; tests read them instead. Its hosted-service registration is a
    /// factory (one per service database), so the factory is wrapped and the relay it builds is never started.
    /// </summary>
    static void KeepOutboxRowsInTheTable(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i] is not { ServiceType: var type, IsKeyedService: false, ImplementationFactory: { } build } || type != typeof(IHostedService)) continue;
            services[i] = ServiceDescriptor.Singleton<IHostedService>(sp => build(sp) is var hosted && hosted is OutboxRelay ? new Idle() : (IHostedService)hosted);
        }
    }

    sealed class Idle : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    sealed record OutboxRow
    {
        public string? Destination { get; init; }
        public string Body { get; init; } = "";
    }

    public async ValueTask DisposeAsync()
    {
        await factory.DisposeAsync();
        if (folder is null) return;
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}

using System.Collections.Concurrent;
using System.Net.Http.Json;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Reminders.Attendance.Dosage;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Tests.Infrastructure;

/// <summary>
/// The real Attendance host for one test: its own SQLite folder (or PostgreSQL database), the in-memory bus, a fake clock
/// the test moves, and API keys per role. <see cref="DeliverAsync{T}"/> publishes one event and returns once its consumer
/// finished with it, so a test decides the order events arrive in (and can deliver the same message id twice).
/// </summary>
public sealed class AttendanceHost : IAsyncDisposable
{
    public const string ManagerKey = "manager-key-for-attendance-tests";
    public const string ResearcherKey = "researcher-key-for-attendance-tests";
    public const string TrainerKey = "trainer-key-for-attendance-tests";

    /// <summary>Venue tablets' keys bound to one trainer each (<c>Auth:ApiKeys:N:TrainerId</c>): they carry the trainer_id claim.</summary>
    public const string PazKey = "trainer-key-bound-to-instructora-paz";
    public static readonly Guid PazTrainerId = Guid.Parse("0193a000-0000-7000-8000-00000000a001");
    public const string RuizKey = "trainer-key-bound-to-mtro-ruiz";
    public static readonly Guid RuizTrainerId = Guid.Parse("0193a000-0000-7000-8000-00000000a002");

    /// <summary>The study's zone, America/Mexico_City: UTC−6 all year since 2022.</summary>
    public static readonly TimeSpan MexicoCity = TimeSpan.FromHours(-6);

    readonly string? folder;
    readonly WebApplicationFactory<DosageRow> factory;
    readonly ConsumedObserver consumed = new();

    AttendanceHost(DateTimeOffset now, string? folder, IReadOnlyDictionary<string, string?> settings)
    {
        this.folder = folder;
        Clock = new FakeTimeProvider(now);
        factory = new WebApplicationFactory<DosageRow>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Bus:Transport", "InMemory");
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            var roles = new[] { ("coordinadora", ManagerKey, "manager"), ("investigador", ResearcherKey, "researcher"), ("instructor", TrainerKey, "trainer") };
            for (var i = 0; i < roles.Length; i++)
            {
                b.UseSetting($"Auth:ApiKeys:{i}:Name", roles[i].Item1);
                b.UseSetting($"Auth:ApiKeys:{i}:Key", roles[i].Item2);
                b.UseSetting($"Auth:ApiKeys:{i}:Roles:0", roles[i].Item3);
            }
            var bound = new[] { ("instructora-paz", PazKey, PazTrainerId), ("mtro-ruiz", RuizKey, RuizTrainerId) };
            for (var i = 0; i < bound.Length; i++)
            {
                b.UseSetting($"Auth:ApiKeys:{roles.Length + i}:Name", bound[i].Item1);
                b.UseSetting($"Auth:ApiKeys:{roles.Length + i}:Key", bound[i].Item2);
                b.UseSetting($"Auth:ApiKeys:{roles.Length + i}:Roles:0", "trainer");
                b.UseSetting($"Auth:ApiKeys:{roles.Length + i}:TrainerId", bound[i].Item3.ToString());
            }
            foreach (var (key, value) in settings) b.UseSetting(key, value);
            b.ConfigureTestServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            });
        });
    }

    public static AttendanceHost Sqlite(DateTimeOffset now)
    {
        var folder = Path.Combine(Path.GetTempPath(), "reminders-attendance-" + Guid.NewGuid().ToString("N"));
        return Start(new AttendanceHost(now, folder, new Dictionary<string, string?> { ["Database:SqliteFolder"] = folder }));
    }

    public static AttendanceHost Postgres(string connectionString, DateTimeOffset now) =>
        Start(new AttendanceHost(now, null, new Dictionary<string, string?> { ["Database:Provider"] = "Postgres", ["Database:Postgres"] = connectionString }));

    static AttendanceHost Start(AttendanceHost host)
    {
        host.Services.GetRequiredService<IBus>().ConnectConsumeObserver(host.consumed);
        return host;
    }

    public static DateTimeOffset Local(int year, int month, int day, int hour, int minute) => new(year, month, day, hour, minute, 0, MexicoCity);

    public FakeTimeProvider Clock { get; }
    public IServiceProvider Services => factory.Services;
    public AttendanceDatabase Database => Services.GetRequiredService<AttendanceDatabase>();

    public HttpClient Client(string? key = ManagerKey)
    {
        var client = factory.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public async Task<HttpResponseMessage> PostAsync(string path, object body, string key = ManagerKey)
    {
        using var client = Client(key);
        return await client.PostAsJsonAsync(path, body);
    }

    /// <summary>Publishes <paramref name="message"/> (with <paramref name="messageId"/> when given: a redelivery) and waits until it was consumed.</summary>
    public async Task<Guid> DeliverAsync<T>(T message, Guid? messageId = null) where T : class
    {
        var id = messageId ?? NewId.NextGuid();
        var done = consumed.Expect(id);
        await Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = id);
        await done.WaitAsync(TimeSpan.FromSeconds(15));
        return id;
    }

    public async Task<IReadOnlyList<DosageRow>> ReadLedgerAsync(IReadOnlyCollection<Guid>? officerIds = null, DateTimeOffset? asOf = null)
    {
        await using var connection = await Database.OpenAsync();
        return await DosageLedger.ReadAsync(connection, null, officerIds, CancellationToken.None, asOf: asOf);
    }

    public async Task<T> ScalarAsync<T>(string sql, object? param = null)
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, param))!;
    }

    public async ValueTask DisposeAsync()
    {
        await factory.DisposeAsync();
        if (folder is null) return;
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>Completes a waiter when the consumer of a given message id has finished (its transaction committed or skipped as a replay).</summary>
    sealed class ConsumedObserver : IConsumeObserver
    {
        readonly ConcurrentDictionary<Guid, TaskCompletionSource> waiting = new();

        public Task Expect(Guid messageId) =>
            waiting.GetOrAdd(messageId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.MessageId is { } id && waiting.TryRemove(id, out var done)) done.TrySetResult();
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
        {
            if (context.MessageId is { } id && waiting.TryRemove(id, out var done)) done.TrySetException(exception);
            return Task.CompletedTask;
        }
    }
}

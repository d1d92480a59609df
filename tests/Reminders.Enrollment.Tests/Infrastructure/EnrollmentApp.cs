using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Enrollment.Roster;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Testing;

namespace Reminders.Enrollment.Tests.Infrastructure;

/// <summary>
/// The real Enrollment host (its Program) with a database of its own (SQLite in a temp folder, or a fresh PostgreSQL
/// database), the in-memory bus and one API key per role. What it puts on the bus is recorded.
/// </summary>
public sealed class EnrollmentApp : WebApplicationFactory<RosterImporter>
{
    public const string ManagerKey = "manager-key-for-enrollment-tests";
    public const string TrainerKey = "trainer-key-for-enrollment-tests";
    public const string ResearcherKey = "researcher-key-for-enrollment-tests";

    readonly string sqliteFolder;
    readonly TestDatabase? postgres;
    bool keepStorage;

    EnrollmentApp(TestDatabase? postgres, string? sqliteFolder = null)
    {
        this.postgres = postgres;
        this.sqliteFolder = sqliteFolder ?? Path.Combine(Path.GetTempPath(), "reminders-enrollment-tests", Guid.NewGuid().ToString("N"));
    }

    public BusRecorder Bus { get; } = new();

    public static async Task<EnrollmentApp> StartAsync(bool postgres = false) =>
        Connect(new EnrollmentApp(postgres ? await TestDatabase.CreateAsync("enrollment") : null));

    /// <summary>Stops this host and starts a new one on the same database (SQLite folder or PostgreSQL database): what survives a restart.</summary>
    public async Task<EnrollmentApp> RestartAsync()
    {
        keepStorage = true;
        await DisposeAsync();
        return Connect(new EnrollmentApp(postgres, sqliteFolder));
    }

    static EnrollmentApp Connect(EnrollmentApp app)
    {
        var bus = app.Services.GetRequiredService<IBus>();
        bus.ConnectPublishObserver(app.Bus);
        bus.ConnectSendObserver(app.Bus);
        if (app.postgres is null && !File.Exists(Path.Combine(app.sqliteFolder, "enrollment.db")))
            throw new InvalidOperationException("The configuration overrides did not reach the host: its SQLite file is not in the test's folder.");
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Bus:Transport"] = "InMemory",
            ["Database:Provider"] = postgres is null ? "Sqlite" : "Postgres",
            ["Database:SqliteFolder"] = sqliteFolder,
            ["Database:Postgres"] = postgres?.ConnectionString,
            ["Auth:ApiKeys:0:Name"] = "ana-manager", ["Auth:ApiKeys:0:Key"] = ManagerKey, ["Auth:ApiKeys:0:Roles:0"] = Roles.Manager,
            ["Auth:ApiKeys:1:Name"] = "tomas-trainer", ["Auth:ApiKeys:1:Key"] = TrainerKey, ["Auth:ApiKeys:1:Roles:0"] = Roles.Trainer,
            ["Auth:ApiKeys:2:Name"] = "rosa-researcher", ["Auth:ApiKeys:2:Key"] = ResearcherKey, ["Auth:ApiKeys:2:Roles:0"] = Roles.Researcher,
        };
        // Host settings reach Program before it reads its configuration (AddServiceDatabase and AddReminderBus read it at once).
        foreach (var (key, value) in settings)
            if (value is not null) builder.UseSetting(key, value);
    }

    public HttpClient Client(string? key = ManagerKey)
    {
        var client = CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        return client;
    }

    public Task<HttpResponseMessage> PostRosterAsync(string csv, string mode = "apply", string? key = ManagerKey) =>
        PostRosterAsync(Encoding.UTF8.GetBytes(csv), mode, key);

    public Task<HttpResponseMessage> PostRosterAsync(byte[] body, string mode = "apply", string? key = ManagerKey)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        return Client(key).PostAsync($"/api/enrollment/roster?mode={mode}", content);
    }

    public async Task<List<Reminders.Enrollment.Officers.OfficersApi.OfficerSummary>> OfficersAsync() =>
        (await Client().GetFromJsonAsync<List<Reminders.Enrollment.Officers.OfficersApi.OfficerSummary>>("/api/enrollment/officers"))!;

    public async Task<List<Reminders.Enrollment.Sectors.SectorsApi.SectorSummary>> SectorsAsync() =>
        (await Client().GetFromJsonAsync<List<Reminders.Enrollment.Sectors.SectorsApi.SectorSummary>>("/api/enrollment/sectors"))!;

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = await Services.GetRequiredKeyedService<ServiceDatabase>(EnrollmentService.Name).OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    /// <summary>Outbox rows not relayed yet, with their last error: what explains an event that never reached the bus.</summary>
    public async Task<string> PendingOutboxAsync()
    {
        var database = Services.GetRequiredKeyedService<ServiceDatabase>(EnrollmentService.Name);
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<(string, string?, long, string?)>("SELECT message_type, destination, attempts, last_error FROM outbox_messages");
        return string.Join(Environment.NewLine, rows.Select(r => $"{r.Item1} → {r.Item2 ?? "(published)"}: {r.Item3} attempts, {r.Item4}"));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (keepStorage) return;
        try { Directory.Delete(sqliteFolder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        if (postgres is not null) await postgres.DisposeAsync();
    }
}

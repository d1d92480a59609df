using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Enrollment.Officers;
using Reminders.Enrollment.Roster;
using Reminders.Enrollment.Sectors;
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
    readonly IReadOnlyDictionary<string, string?> extraSettings;
    bool keepStorage;

    EnrollmentApp(TestDatabase? postgres, IReadOnlyDictionary<string, string?>? settings, string? sqliteFolder = null)
    {
        this.postgres = postgres;
        extraSettings = settings ?? new Dictionary<string, string?>();
        this.sqliteFolder = sqliteFolder ?? Path.Combine(Path.GetTempPath(), "reminders-enrollment-tests", Guid.NewGuid().ToString("N"));
    }

    public BusRecorder Bus { get; } = new();

    /// <param name="settings">Configuration for this host only, e.g. <c>Enrollment:AllowedPhoneRegions:1</c>.</param>
    public static async Task<EnrollmentApp> StartAsync(bool postgres = false, IReadOnlyDictionary<string, string?>? settings = null) =>
        Connect(new EnrollmentApp(postgres ? await TestDatabase.CreateAsync("enrollment") : null, settings));

    /// <summary>A host whose sectors (<see cref="Rosters.Sectors"/>) are loaded: rosters refer to registered sectors only.</summary>
    public static async Task<EnrollmentApp> StartWithSectorsAsync(bool postgres = false, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = await StartAsync(postgres, settings);
        await app.LoadSectorsAsync();
        return app;
    }

    /// <summary>Stops this host and starts a new one on the same database (SQLite folder or PostgreSQL database): what survives a restart.</summary>
    public async Task<EnrollmentApp> RestartAsync()
    {
        keepStorage = true;
        await DisposeAsync();
        return Connect(new EnrollmentApp(postgres, extraSettings, sqliteFolder));
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
        foreach (var (key, value) in extraSettings) settings[key] = value;
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

    /// <param name="query">Extra query parameters after the mode, e.g. <c>fullRoster=true&amp;confirmInactive=true</c>.</param>
    public Task<HttpResponseMessage> PostRosterAsync(string csv, string mode = "apply", string? key = ManagerKey, string? query = null) =>
        PostRosterAsync(Encoding.UTF8.GetBytes(csv), mode, key, query);

    public Task<HttpResponseMessage> PostRosterAsync(byte[] body, string mode = "apply", string? key = ManagerKey, string? query = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return Client(key).PostAsync($"/api/enrollment/roster?mode={mode}{(query is null ? "" : "&" + query)}", content);
    }

    /// <summary>Imports a roster and returns its report, failing with the body when the status is not <paramref name="expected"/>.</summary>
    public async Task<RosterImportReport> ImportAsync(string csv, string mode = "apply", string? query = null, HttpStatusCode expected = HttpStatusCode.OK) =>
        await ReportAsync<RosterImportReport>(await PostRosterAsync(csv, mode, query: query), expected);

    public async Task<RosterImportReport> ImportAsync(byte[] body, string mode = "apply", string? query = null, HttpStatusCode expected = HttpStatusCode.OK) =>
        await ReportAsync<RosterImportReport>(await PostRosterAsync(body, mode, query: query), expected);

    public Task<HttpResponseMessage> PostSectorsAsync(string body, string mode = "apply", string contentType = "text/csv", string? key = ManagerKey) =>
        Client(key).PostAsync($"/api/enrollment/sectors?mode={mode}", new StringContent(body, Encoding.UTF8, contentType));

    public async Task<SectorImportReport> LoadSectorsAsync(string csv = Rosters.Sectors, string mode = "apply", HttpStatusCode expected = HttpStatusCode.OK) =>
        await ReportAsync<SectorImportReport>(await PostSectorsAsync(csv, mode), expected);

    public static async Task<T> ReportAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, JsonSerializerOptions.Web)!;
    }

    public async Task<List<OfficersApi.OfficerSummary>> OfficersAsync() =>
        (await Client().GetFromJsonAsync<List<OfficersApi.OfficerSummary>>("/api/enrollment/officers"))!;

    public async Task<OfficersApi.OfficerSummary> OfficerAsync(string badge) => (await OfficersAsync()).Single(o => o.Badge == badge);

    public async Task<OfficersApi.OfficerDetail> OfficerDetailAsync(Guid id) =>
        (await Client().GetFromJsonAsync<OfficersApi.OfficerDetail>($"/api/enrollment/officers/{id}"))!;

    public Task<HttpResponseMessage> ChangeStatusAsync(Guid id, string? status, string? reason = null, string? key = ManagerKey) =>
        Client(key).PostAsJsonAsync($"/api/enrollment/officers/{id}/status", new { status, reason });

    public async Task<List<SectorsApi.SectorSummary>> SectorsAsync() =>
        (await Client().GetFromJsonAsync<List<SectorsApi.SectorSummary>>("/api/enrollment/sectors"))!;

    /// <summary>Randomizes every loaded sector in one stratum (seed 1 unless said) and returns each sector's arm by code.</summary>
    public async Task<Dictionary<string, string>> RandomizeAllAsync(long seed = 1)
    {
        var response = await Client().PostAsJsonAsync("/api/enrollment/randomizations", new { seed, strata = Array.Empty<string>() });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await SectorsAsync()).ToDictionary(s => s.Code, s => s.Arm!);
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = await Services.GetRequiredService<EnrollmentDatabase>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    /// <summary>Outbox rows not relayed yet, with their last error: what explains an event that never reached the bus.</summary>
    public async Task<string> PendingOutboxAsync()
    {
        var database = Services.GetRequiredService<EnrollmentDatabase>();
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<OutboxRow>(
            "SELECT message_type AS MessageType, destination AS Destination, attempts AS Attempts, last_error AS LastError FROM outbox_messages");
        return string.Join(Environment.NewLine, rows.Select(r => $"{r.MessageType} → {r.Destination ?? "(published)"}: {r.Attempts} attempts, {r.LastError}"));
    }

    sealed record OutboxRow
    {
        public string MessageType { get; init; } = "";
        public string? Destination { get; init; }
        public long Attempts { get; init; }
        public string? LastError { get; init; }
    }

    public override async ValueTask DisposeAsync()
    {
        // Stopping a bus whose receive endpoints are still starting can throw inside MassTransit: let them start first.
        await Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(15));
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (keepStorage) return;
        try { Directory.Delete(sqliteFolder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        if (postgres is not null) await postgres.DisposeAsync();
    }
}

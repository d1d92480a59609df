using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Reminders.Local;
using Reminders.Local.Demo;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Reminders.EndToEnd.Tests;

/// <summary>The one-process default (four services, simulator, SQLite, in-memory bus) on a fresh data folder and a free port.</summary>
public sealed class LocalHostFixture : IAsyncLifetime
{
    public WebApplication App { get; private set; } = null!;
    public ReminderClient Client { get; private set; } = null!;
    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "reminders-e2e-" + Guid.NewGuid().ToString("N"));
    public string Url => App.Url();

    public async Task InitializeAsync()
    {
        // Inside sending hours whatever hour the suite runs at, so planned SMS go out at once.
        var settings = StudyClockOptions.InsideSendingHours(ProtocolLoader.LoadDefault(), DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Database:SqliteFolder"] = DataFolder;
        settings["Logging:LogLevel:Default"] = "Warning";
        App = LocalHost.Build([], settings);
        await App.StartAsync();
        Client = new ReminderClient(ServiceUrls.Single(App.Url()), App.ApiKey(Roles.Manager), App.ApiKey(Roles.Researcher), App.SimulatorKey());
    }

    public string ApiKey(string role) => App.ApiKey(role);

    /// <summary>The services' clock (a study clock, possibly hours ahead of real time): stamp commands with it.</summary>
    public DateTimeOffset Now() => App.Services.GetRequiredService<TimeProvider>().GetUtcNow();

    /// <summary>Reads one service's own SQLite file directly (the tests' view of what was recorded).</summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string service, string sql, object? param = null)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(DataFolder, service + ".db")}");
        return (await connection.QueryAsync<T>(sql, param)).AsList();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { }
    }
}

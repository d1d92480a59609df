using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Reminders.Local;
using Reminders.Local.Demo;
using Reminders.Platform.Auth;

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
        App = LocalHost.Build([], new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Database:SqliteFolder"] = DataFolder,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await App.StartAsync();
        Client = new ReminderClient(ServiceUrls.Single(App.Url()), App.ApiKey(Roles.Manager), App.ApiKey(Roles.Researcher));
    }

    public string ApiKey(string role) => App.ApiKey(role);

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

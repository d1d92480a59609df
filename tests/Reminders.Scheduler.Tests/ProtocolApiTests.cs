using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Reminders.Protocol;
using Reminders.Scheduler.Training;

namespace Reminders.Scheduler.Tests;

/// <summary>The Scheduler loads and validates the protocol at start-up and shows the one in force.</summary>
public sealed class ProtocolApiTests : IDisposable
{
    const string ManagerKey = "manager-key-for-protocol-tests";
    readonly string folder = Path.Combine(Path.GetTempPath(), "reminders-protocol-api-" + Guid.NewGuid().ToString("N"));

    WebApplicationFactory<Trainer> Host(string? protocolPath = null) => new WebApplicationFactory<Trainer>().WithWebHostBuilder(b =>
    {
        b.UseSetting("Database:SqliteFolder", folder);
        b.UseSetting("Auth:ApiKeys:0:Name", "manager");
        b.UseSetting("Auth:ApiKeys:0:Key", ManagerKey);
        b.UseSetting("Auth:ApiKeys:0:Roles:0", "manager");
        if (protocolPath is not null) b.UseSetting("Protocol:Path", protocolPath);
    });

    [Fact]
    public async Task The_protocol_in_force_shows_its_version_training_holidays_and_template_costs()
    {
        await using var host = Host();
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ManagerKey);
        var protocol = await client.GetFromJsonAsync<JsonElement>("/api/scheduler/protocol?year=2026");
        Assert.Equal(ProtocolLoader.LoadDefault().Version, protocol.GetProperty("version").GetString());
        Assert.Equal(64, protocol.GetProperty("fingerprint").GetString()!.Length);
        var training = protocol.GetProperty("training").EnumerateArray().ToDictionary(t => t.GetProperty("role").GetString()!, t => t.GetProperty("plannedMinutes").GetInt32());
        Assert.Equal(540, training["officer"]);
        Assert.Equal(720, training["commander"]);
        Assert.Contains(protocol.GetProperty("holidays").EnumerateArray(), h => h.GetProperty("date").GetString() == "2026-09-16");
        Assert.All(protocol.GetProperty("templates").EnumerateArray(), t => Assert.Equal(1, t.GetProperty("segments").GetInt32()));
    }

    [Fact]
    public void A_protocol_file_with_errors_stops_the_start_naming_every_field()
    {
        var path = Path.Combine(Path.GetTempPath(), $"protocol-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, ProtocolLoader.DefaultJson().Replace("\"hoursPerDay\": 3", "\"hoursPerDay\": 0").Replace("\"timeZone\"", "\"timeZoen\""));
        try
        {
            using var host = Host(path);
            var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());
            var protocolError = error as ProtocolException ?? error.InnerException as ProtocolException ?? throw error;
            Assert.Contains(protocolError.Errors, e => e.Path.EndsWith("hoursPerDay", StringComparison.Ordinal));
            Assert.Contains(protocolError.Errors, e => e.Message.Contains("timeZoen", StringComparison.Ordinal) || e.Path.Contains("timeZoen", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}

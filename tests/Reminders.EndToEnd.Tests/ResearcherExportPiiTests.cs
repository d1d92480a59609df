using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Reminders.Local.Demo;
using Reminders.Local.Sample;
using Reminders.Platform.Auth;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// No name, phone number (in any format) or badge number of the roster appears in any researcher export, with the
/// synthetic sample study loaded, randomized, a few SMS delivered and the ledger frozen once.
/// </summary>
public sealed class ResearcherExportPiiTests : IAsyncLifetime
{
    readonly LocalHostFixture host = new();

    public Task InitializeAsync() => host.InitializeAsync();
    public Task DisposeAsync() => host.DisposeAsync();

    [Fact]
    public async Task No_researcher_export_contains_a_name_phone_or_badge_from_the_roster()
    {
        var client = host.Client;
        await client.LoadSectorsAsync(SampleFiles.Sectors);
        await client.ImportRosterAsync(SampleFiles.Roster);
        await client.RandomizeAsync(20261128, DemoCommand.Strata);
        var roster = RosterPii.Roster();
        var arms = (await client.SectorsAsync()).EnumerateArray().ToDictionary(s => s.GetProperty("code").GetString()!, s => s.GetProperty("arm").GetString());
        var treated = (await client.OfficersAsync()).EnumerateArray()
            .Where(o => arms[o.GetProperty("sectorCode").GetString()!] == "treatment").Take(3).Select(o => o.GetProperty("id").GetGuid()).ToList();
        foreach (var officerId in treated)
        {
            var (status, _) = await client.SendManualMessageWhenKnownAsync(officerId, SkeletonFlow.MessageBody, TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.Accepted, status);
            Assert.NotNull(await client.WaitForDosageAsync(officerId, d => d.GetProperty("smsDelivered").GetInt64() >= 1, TimeSpan.FromSeconds(30)));
        }

        using var researcher = new HttpClient { BaseAddress = new Uri(host.Url) };
        researcher.DefaultRequestHeaders.Add("X-Api-Key", host.ApiKey(Roles.Researcher));
        using var manager = new HttpClient { BaseAddress = new Uri(host.Url) };
        manager.DefaultRequestHeaders.Add("X-Api-Key", host.ApiKey(Roles.Manager));
        // Every officer of the roster has reached Attendance's ledger before anything is frozen or exported.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await researcher.GetStringAsync("/api/attendance/dosage.csv?snapshot=live")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length - 1 < roster.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, "The ledger never knew every officer of the roster.");
            await Task.Delay(200);
        }
        Assert.Equal(HttpStatusCode.Created, (await manager.PostAsJsonAsync("/api/attendance/dosage/snapshots", new { reason = "PII scan" })).StatusCode);

        var exports = new List<string>
        {
            "/api/attendance/dosage.csv", "/api/attendance/dosage.csv?snapshot=live", "/api/attendance/dosage.csv?snapshot=latest",
            "/api/attendance/dosage.csv?snapshot=1", "/api/attendance/dosage/codebook.md", "/api/attendance/dosage/codebook.json",
            "/api/attendance/dosage/summaries/arms.csv", "/api/attendance/dosage/summaries/arms.json",
            "/api/attendance/dosage/summaries/sectors.csv", "/api/attendance/dosage/summaries/sectors.json",
            "/api/attendance/dosage/snapshots", "/api/attendance/dosage/snapshots/1",
        };
        exports.AddRange(treated.Select(id => $"/api/attendance/dosage/officers/{id}"));

        var scan = RosterPii.Scanner(roster);
        // The scanner finds what it must: every badge, name and phone of the roster file itself.
        Assert.True(scan(Encoding.UTF8.GetString(SampleFiles.Roster)).Count >= roster.Count * 3);
        foreach (var path in exports)
        {
            var response = await researcher.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
            var text = await response.Content.ReadAsStringAsync();
            if (text.Length < 200 && !path.Contains("snapshots")) Assert.Fail($"{path} is suspiciously short: {text}");
            var found = scan(text);
            Assert.True(found.Count == 0, $"{path} contains roster data: {string.Join(", ", found.Take(5))}");
        }
    }
}

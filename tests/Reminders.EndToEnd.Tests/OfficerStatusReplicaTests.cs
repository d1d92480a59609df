using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Local.Demo;
using Reminders.Platform.Auth;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Enrollment's status changes and transfers reach Messaging's replicas at once: an officer a manager opted out, or
/// moved to a control sector by a roster re-import, gets no SMS, whatever is put on the bus; opted in again, they do.
/// </summary>
public sealed class OfficerStatusReplicaTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    readonly LocalHostFixture host = seeded.Host;

    async Task<HttpResponseMessage> ManagerAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, host.Url + path) { Content = content };
        request.Headers.Add("X-Api-Key", host.ApiKey(Roles.Manager));
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    async Task SetStatusAsync(Guid officerId, string status)
    {
        var response = await ManagerAsync(HttpMethod.Post, $"/api/enrollment/officers/{officerId}/status", JsonContent.Create(new { status, reason = "prueba de réplica" }));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Polls Messaging's own database until the query gives <paramref name="expected"/>.</summary>
    async Task WaitForMessagingAsync(string sql, Guid officerId, string expected)
    {
        string? actual = null;
        for (var i = 0; i < 400; i++)
        {
            actual = (await host.QueryAsync<string>("messaging", sql, new { id = officerId.ToString() })).SingleOrDefault();
            if (actual == expected) return;
            await Task.Delay(25);
        }
        throw new TimeoutException($"Messaging's replica shows {actual ?? "nothing"} for officer {officerId}, not {expected}.");
    }

    /// <summary>Puts a SendSms on the bus by hand and returns the SMS's final state and refusal reason.</summary>
    async Task<(string State, string? Reason, int AtProvider)> SendByHandAsync(Guid officerId)
    {
        var body = $"Recordatorio de prueba {Guid.NewGuid():N}";
        var command = new SendSms(Guid.NewGuid(), officerId, SmsPurposes.Manual, body, host.Now());
        var endpoint = await host.App.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));
        await endpoint.Send(command);
        for (var i = 0; i < 400; i++)
        {
            var row = (await host.QueryAsync<OutboundRow>("messaging",
                "SELECT state AS State, refusal_reason AS RefusalReason FROM outbound_sms WHERE sms_id = @id", new { id = command.SmsId.ToString() })).SingleOrDefault();
            if (row is { State: "accepted" or "refused" or "failed" })
            {
                var atProvider = host.App.Services.GetRequiredService<SimulatorLog>().Snapshot(null).Count(m => m.Body == body);
                return (row.State, row.RefusalReason, atProvider);
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"SMS {command.SmsId} was never accepted or refused.");
    }

    sealed record OutboundRow
    {
        public string State { get; init; } = "";
        public string? RefusalReason { get; init; }
    }

    [Fact]
    public async Task An_officer_a_manager_opted_out_gets_no_sms_until_set_active_again()
    {
        var officer = seeded.Flow.Delivered[0].OfficerId;

        await SetStatusAsync(officer, OfficerStatuses.SmsOptedOut);
        await WaitForMessagingAsync("SELECT status FROM officer_statuses WHERE officer_id = @id", officer, OfficerStatuses.SmsOptedOut);

        Assert.Equal(("refused", "opted_out", 0), await SendByHandAsync(officer));

        await SetStatusAsync(officer, OfficerStatuses.Active);
        await WaitForMessagingAsync("SELECT status FROM officer_statuses WHERE officer_id = @id", officer, OfficerStatuses.Active);

        Assert.Equal(("accepted", (string?)null, 1), await SendByHandAsync(officer));
    }

    [Theory]
    [InlineData("withdrawn", "withdrawn")]
    [InlineData("wrong_number", "wrong_number")]
    [InlineData("inactive", "inactive")]
    public async Task Every_other_status_but_active_is_refused_with_its_reason(string status, string reason)
    {
        var officer = seeded.Flow.Delivered[1].OfficerId;

        await SetStatusAsync(officer, status);
        await WaitForMessagingAsync("SELECT status FROM officer_statuses WHERE officer_id = @id", officer, status);

        Assert.Equal(("refused", reason, 0), await SendByHandAsync(officer));
        await SetStatusAsync(officer, OfficerStatuses.Active);
        await WaitForMessagingAsync("SELECT status FROM officer_statuses WHERE officer_id = @id", officer, OfficerStatuses.Active);
    }

    [Fact]
    public async Task A_treatment_officer_moved_to_a_control_sector_by_a_roster_reimport_gets_no_sms_under_the_default_cross_arm_stop()
    {
        // Each test of this class has its own treatment officer: [0] opted out, [1] other statuses, [2] moved.
        Assert.True(seeded.Flow.Delivered.Count >= 3);
        var moved = seeded.Flow.Delivered[2];
        var controlCode = seeded.Flow.ArmBySector.First(a => a.Value == StudyArms.Control).Key;
        var sectors = JsonDocument.Parse(await (await ManagerAsync(HttpMethod.Get, "/api/enrollment/sectors")).Content.ReadAsStringAsync()).RootElement;
        var controlId = sectors.EnumerateArray().Single(s => s.GetProperty("code").GetString() == controlCode).GetProperty("id").GetGuid();
        // The officer's own row of the seeded roster, now in a control sector.
        var lines = SkeletonFlow.Roster.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var fields = lines.Single(l => l.StartsWith(moved.Badge + ";", StringComparison.Ordinal)).Split(';');
        fields[3] = controlCode;
        var csv = lines[0] + "\n" + string.Join(';', fields) + "\n";

        var response = await ManagerAsync(HttpMethod.Post, "/api/enrollment/roster?mode=apply", new StringContent(csv, Encoding.UTF8, "text/csv"));

        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.StatusCode == HttpStatusCode.OK, report.ToString());
        Assert.Equal((1, 1), (report.GetProperty("transferred").GetInt32(), report.GetProperty("crossArmTransfers").GetInt32()));
        await WaitForMessagingAsync("SELECT sector_id FROM officers WHERE officer_id = @id", moved.OfficerId, controlId.ToString());

        // Randomized to treatment, so not an arm mismatch: the protocol's transfers.crossArm (stop) ends their SMS.
        Assert.Equal(("refused", "transferred_cross_arm", 0), await SendByHandAsync(moved.OfficerId));
    }
}

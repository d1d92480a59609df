using System.Text.Json;
using Reminders.Local.Demo;
using Xunit.Abstractions;

namespace Reminders.EndToEnd.Tests;

/// <summary>The skeleton flow in the one-process default: roster → randomize → SendSms → provider → signed callback → ledger.</summary>
public sealed class LocalModeSkeletonFlowTests(LocalHostFixture host, ITestOutputHelper output) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Treatment_officers_get_one_delivered_sms_in_the_ledger_and_control_officers_none()
    {
        var log = new StringWriter();
        var result = await SkeletonFlow.RunAsync(host.Client, log, TimeSpan.FromSeconds(30));
        output.WriteLine(log.ToString());

        var treatment = result.Officers.Where(o => result.ArmBySector[o.GetProperty("sectorCode").GetString()!] == "treatment").ToList();
        var control = result.Officers.Count - treatment.Count;
        Assert.Equal(4, treatment.Count);
        Assert.Equal(4, control);
        Assert.Equal(treatment.Count, result.Delivered.Count);
        Assert.All(result.ControlAttempts, attempt => Assert.Equal(409, attempt.Status));

        foreach (var trace in result.Delivered)
        {
            var dosage = result.Dosage[trace.OfficerId];
            Assert.Equal(1, dosage.GetProperty("smsSent").GetInt64());
            Assert.Equal(1, dosage.GetProperty("smsDelivered").GetInt64());
            Assert.Equal(0, dosage.GetProperty("smsFailed").GetInt64());
        }

        // The provider's log is the ground truth: exactly one message per treatment officer, none to control phones.
        var simulatorLog = await host.Client.SimulatorLogCsvAsync();
        var lines = simulatorLog.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(treatment.Count, lines.Count);
        foreach (var controlOfficer in result.Officers.Except(treatment))
            Assert.DoesNotContain(lines, l => l.Contains(controlOfficer.GetProperty("phoneMasked").GetString()![^4..] + ","));

        // A reply with the pre-2019 mobile "1" (+521...) is matched to the officer who has +52 and the same ten digits.
        var first = result.Delivered[0];
        var reply = await host.Client.SimulateReplyAsync("+5215500000101", "+15005550006", "OK");
        Assert.Equal(200, reply.GetProperty("receiverStatus").GetInt32());
        var repliedBy = await host.QueryAsync<string>("messaging", "SELECT officer_id FROM inbound_sms WHERE body = 'OK'");
        var p1001 = result.Officers.Single(o => o.GetProperty("badge").GetString() == "P-1001").GetProperty("id").GetGuid();
        Assert.Equal(p1001.ToString(), Assert.Single(repliedBy));
        Assert.Equal("P-1001", first.Badge);

        var latencies = result.Delivered.Select(d => d.LatencyMs).Order().ToList();
        output.WriteLine($"local mode SendSms → ledger latency: median {latencies[latencies.Count / 2]:F0} ms, max {latencies[^1]:F0} ms");
    }
}

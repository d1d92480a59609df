using System.Text.RegularExpressions;
using Reminders.Local.Demo;
using Xunit.Abstractions;

namespace Reminders.EndToEnd.Tests;

/// <summary>The skeleton flow across four OS processes over the real RabbitMQ and PostgreSQL.</summary>
public sealed partial class DistributedSkeletonFlowTests(DistributedFixture services, ITestOutputHelper output) : IClassFixture<DistributedFixture>, IDisposable
{
    /// <summary>Each service's console output goes to the test's output, so a failure shows what the processes said.</summary>
    public void Dispose()
    {
        foreach (var (name, process) in services.Services)
            output.WriteLine($"--- {name}\n{string.Join('\n', process.Output.TakeLast(60))}");
    }

    [Fact]
    public async Task Treatment_officers_get_one_delivered_sms_in_the_ledger_across_four_processes()
    {
        var log = new StringWriter();
        SkeletonFlow.Result result;
        try
        {
            result = await SkeletonFlow.RunAsync(services.Client, log, TimeSpan.FromSeconds(60));
        }
        finally
        {
            output.WriteLine(log.ToString());
        }

        Assert.Equal(4, result.Delivered.Count);
        Assert.Equal(4, result.ControlAttempts.Count);
        Assert.All(result.ControlAttempts, attempt => Assert.Equal(409, attempt.Status));
        foreach (var trace in result.Delivered)
        {
            var dosage = result.Dosage[trace.OfficerId];
            Assert.Equal(1, dosage.GetProperty("smsSent").GetInt64());
            Assert.Equal(1, dosage.GetProperty("smsDelivered").GetInt64());
            Assert.Equal("treatment", dosage.GetProperty("arm").GetString());
        }
        var simulatorLog = await services.Client.SimulatorLogCsvAsync();
        Assert.Equal(4, simulatorLog.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);

        var latencies = result.Delivered.Select(d => d.LatencyMs).Order().ToList();
        output.WriteLine($"distributed mode SendSms → ledger latency: median {latencies[latencies.Count / 2]:F0} ms, max {latencies[^1]:F0} ms");

        // Phone numbers never appear unmasked in any service's log.
        var leaked = services.AllOutput.Where(line => FullMexicanNumber().IsMatch(line)).ToList();
        Assert.True(leaked.Count == 0, "Unmasked phone numbers in logs:\n" + string.Join('\n', leaked.Take(5)));
    }

    [GeneratedRegex(@"\+?52\s?1?\s?\d{2}\s?\d{4}\s?\d{4}")]
    private static partial Regex FullMexicanNumber();
}

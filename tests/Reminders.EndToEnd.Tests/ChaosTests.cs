using System.Globalization;
using System.Text;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.Testing.Chaos;
using Xunit.Abstractions;

namespace Reminders.EndToEnd.Tests;

/// <summary>The chaos run restarts RabbitMQ and PostgreSQL, which every other test uses: it runs alone, after the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosCollection
{
    public const string Name = "chaos";
}

/// <summary>
/// The short variant of deploy/chaos.sh: 1,000 reminders due over 30 s, two instances of every service each killed and
/// restarted at least once (one Messaging with sends in flight), RabbitMQ and PostgreSQL restarted, the provider failing.
/// REMINDERS_CHAOS_SEED replays a seed; REMINDERS_CHAOS_NO_RESTARTS=1 leaves the broker and database alone (while others test).
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killed_services_and_restarted_broker_and_database_lose_no_reminder_duplicate_none_and_leave_nothing_stuck()
    {
        var protocol = ProtocolLoader.LoadDefault();
        var clockSettings = StudyClockOptions.InsideSendingHours(protocol, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(30));
        var clock = StudyClock.FromSettings(clockSettings);
        var restarts = Environment.GetEnvironmentVariable("REMINDERS_CHAOS_NO_RESTARTS") != "1";
        var options = new ChaosOptions
        {
            Seed = int.TryParse(Environment.GetEnvironmentVariable("REMINDERS_CHAOS_SEED"), out var seed) ? seed : Random.Shared.Next(1, 1_000_000),
            Reminders = 1_000,
            ControlOfficers = 30,
            DueSpread = TimeSpan.FromSeconds(30),
            FaultWindow = TimeSpan.FromSeconds(45),
            ExtraKills = 0,
            CredentialsRefusedFor = TimeSpan.FromSeconds(10),
            RestartBroker = restarts,
            RestartDatabase = restarts,
            SettleBound = TimeSpan.FromMinutes(3),
            ClockSettings = clockSettings,
            StudyClock = clock,
            ReminderBody = protocol.Reminders!.Schedule[0].Template.Officer.Render(),
            ProtocolVersion = protocol.Version,
        };
        using var log = new TestOutputWriter(output);

        var counts = await ChaosRun.RunAsync(options, log);

        Assert.True(counts.Clean, $"seed {counts.Seed}:\n{string.Join('\n', counts.Differences)}");
        Assert.Equal((counts.Due, 0, 0, 0), (counts.AcceptedOnce, counts.Lost, counts.Duplicated, counts.ToControl));
        Assert.Equal(counts.Due, counts.LedgerMatching);
    }

    /// <summary>The run's lines into the test's output, one WriteLine each.</summary>
    sealed class TestOutputWriter(ITestOutputHelper output) : TextWriter
    {
        readonly StringBuilder line = new();
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                output.WriteLine(line.ToString().TrimEnd('\r'));
                line.Clear();
            }
            else line.Append(value);
        }

        public override void WriteLine(string? value)
        {
            foreach (var part in (line + (value ?? "")).Split('\n')) output.WriteLine(part.TrimEnd('\r'));
            line.Clear();
        }
    }
}

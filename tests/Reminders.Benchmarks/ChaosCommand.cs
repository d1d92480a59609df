using System.Globalization;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.Testing.Chaos;

namespace Reminders.Benchmarks;

/// <summary>
/// The full fault-injection run (deploy/chaos.sh): 20,000 reminders due over two minutes, two instances of every service
/// killed and restarted, RabbitMQ and PostgreSQL restarted, the provider failing; exit 0 only when nothing was lost,
/// duplicated, sent to control or left stuck.
/// </summary>
public static class ChaosCommand
{
    /// <param name="args"><c>[--seed N] [--reminders N] [--no-restarts]</c> (--no-restarts: leave RabbitMQ and PostgreSQL alone).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter log)
    {
        int? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length
            ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : null;
        var restarts = !args.Contains("--no-restarts");
        var protocol = ProtocolLoader.LoadDefault();
        var clockSettings = StudyClockOptions.InsideSendingHours(protocol, DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        var clock = StudyClock.FromSettings(clockSettings);
        var options = new ChaosOptions
        {
            Seed = Option("--seed") ?? Random.Shared.Next(1, 1_000_000),
            Reminders = Option("--reminders") ?? 20_000,
            ControlOfficers = 200,
            DueSpread = TimeSpan.FromSeconds(120),
            FaultWindow = TimeSpan.FromSeconds(180),
            ExtraKills = 8,
            RestartBroker = restarts,
            RestartDatabase = restarts,
            SettleBound = TimeSpan.FromMinutes(6),
            ClockSettings = clockSettings,
            StudyClock = clock,
            ReminderBody = protocol.Reminders!.Schedule[0].Template.Officer.Render(),
            ProtocolVersion = protocol.Version,
        };
        var counts = await ChaosRun.RunAsync(options, log);
        return counts.Clean ? 0 : 1;
    }
}

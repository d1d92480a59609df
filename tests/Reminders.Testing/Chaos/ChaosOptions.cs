namespace Reminders.Testing.Chaos;

/// <summary>
/// One fault-injection run: how many reminders fall due and over how long, which faults are injected, and how long the
/// system may take to settle afterwards. Every random choice comes from <see cref="Seed"/>.
/// </summary>
public sealed record ChaosOptions
{
    public required int Seed { get; init; }

    /// <summary>Due reminders for treatment officers (one each), spread evenly over <see cref="DueSpread"/>.</summary>
    public required int Reminders { get; init; }

    /// <summary>Officers of control sectors with a phone: a reminder is planned for each and a SendSms put on the bus by hand.</summary>
    public int ControlOfficers { get; init; } = 50;

    public TimeSpan DueSpread { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Kills and restarts happen from the first due reminder until this much later.</summary>
    public TimeSpan FaultWindow { get; init; } = TimeSpan.FromSeconds(150);

    /// <summary>Kills on top of one per service instance (so some instances die more than once).</summary>
    public int ExtraKills { get; init; } = 6;

    /// <summary>Restart RabbitMQ once and PostgreSQL once during the window (they are shared with every other test: off while developing).</summary>
    /// <summary>How long the provider refuses Messaging's credentials, once, inside the fault window.</summary>
    public TimeSpan CredentialsRefusedFor { get; init; } = TimeSpan.FromSeconds(30);

    public bool RestartBroker { get; init; } = true;
    public bool RestartDatabase { get; init; } = true;

    /// <summary>How long, at most, to wait for the system to settle after the last fault.</summary>
    public TimeSpan SettleBound { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The study clock every process shares (<c>Clock:StudyStart</c>, <c>Clock:RealStart</c>): inside sending hours for the whole run.</summary>
    public required IReadOnlyDictionary<string, string?> ClockSettings { get; init; }

    /// <summary>The same clock, to compute due times in study time.</summary>
    public required TimeProvider StudyClock { get; init; }

    /// <summary>The reminder text (as the protocol renders it); each officer's SMS is told apart by its phone and its SMS id.</summary>
    public required string ReminderBody { get; init; }

    public required string ProtocolVersion { get; init; }
}

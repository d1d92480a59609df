namespace Reminders.Testing.Chaos;

/// <summary>A fault at <see cref="At"/> after the run's start (the first reminder falls due a few seconds later).</summary>
public abstract record ChaosAction(TimeSpan At)
{
    /// <summary>The service instance this action kills, if any.</summary>
    public virtual string? Instance => null;
}

/// <summary>SIGKILL, then a restart <paramref name="DownFor"/> later.</summary>
public sealed record KillInstance(TimeSpan At, string Target, TimeSpan DownFor) : ChaosAction(At)
{
    public override string? Instance => Target;
    public override string ToString() => $"kill {Target} and restart it {DownFor.TotalSeconds:F1} s later";
}

/// <summary>
/// The provider takes the next sends and holds its answer back, then a Messaging instance is killed while they are held:
/// the provider has accepted SMS that Messaging has not recorded.
/// </summary>
public sealed record KillMessagingInFlight(TimeSpan At, string Target, TimeSpan DownFor) : ChaosAction(At)
{
    public override string? Instance => Target;
    public override string ToString() => $"hold the provider's answers, kill {Target} with sends in flight, restart it {DownFor.TotalSeconds:F1} s later";
}

/// <summary>The provider refuses Messaging's credentials (401/20003 on every request) for <paramref name="For"/>, as during a rotation.</summary>
public sealed record RefuseCredentials(TimeSpan At, TimeSpan For) : ChaosAction(At)
{
    public override string ToString() => $"the provider refuses the credentials for {For.TotalSeconds:F0} s";
}

public sealed record RestartBroker(TimeSpan At) : ChaosAction(At)
{
    public override string ToString() => "restart RabbitMQ";
}

public sealed record RestartDatabase(TimeSpan At) : ChaosAction(At)
{
    public override string ToString() => "restart PostgreSQL";
}

/// <summary>The run's faults, drawn from its seed: the same seed gives the same plan.</summary>
public static class ChaosPlan
{
    /// <summary>Two kills of one instance are at least this far apart, so it is up again before it dies again.</summary>
    static readonly TimeSpan SameInstanceGap = TimeSpan.FromSeconds(35);
    static readonly TimeSpan BrokerDatabaseGap = TimeSpan.FromSeconds(30);
    static readonly TimeSpan FirstFault = TimeSpan.FromSeconds(8);

    public static IReadOnlyList<ChaosAction> Draw(ChaosOptions options, IReadOnlyList<string> instances, Random random)
    {
        var window = options.FaultWindow;
        var actions = new List<ChaosAction>();
        TimeSpan Between(TimeSpan from, TimeSpan to) => from + (to - from) * random.NextDouble();
        TimeSpan DownFor() => TimeSpan.FromSeconds(1 + 3 * random.NextDouble());
        TimeSpan FreeMomentFor(string instance)
        {
            for (var attempt = 0; ; attempt++)
            {
                var at = Between(FirstFault, window);
                if (attempt > 200 || actions.All(a => a.Instance != instance || (a.At - at).Duration() >= SameInstanceGap)) return at;
            }
        }

        var messaging = instances.Where(i => i.StartsWith("Messaging", StringComparison.Ordinal)).ToList();
        var inFlightTarget = messaging[random.Next(messaging.Count)];
        actions.Add(new KillMessagingInFlight(Between(FirstFault, window), inFlightTarget, DownFor()));
        foreach (var instance in instances) actions.Add(new KillInstance(FreeMomentFor(instance), instance, DownFor()));
        for (var i = 0; i < options.ExtraKills; i++)
        {
            var instance = instances[random.Next(instances.Count)];
            actions.Add(new KillInstance(FreeMomentFor(instance), instance, DownFor()));
        }

        var (early, late) = (window * 0.15, window * 0.85);
        // Refused credentials inside the window, so sending must resume by itself before the faults stop.
        var credentialsFor = options.CredentialsRefusedFor;
        actions.Add(new RefuseCredentials(Between(early, late - credentialsFor > early ? late - credentialsFor : early), credentialsFor));
        if (options.RestartBroker && options.RestartDatabase)
        {
            var broker = Between(early, late);
            TimeSpan database;
            do database = Between(early, late); while ((database - broker).Duration() < BrokerDatabaseGap && late - early > BrokerDatabaseGap * 2);
            actions.Add(new RestartBroker(broker));
            actions.Add(new RestartDatabase(database));
        }
        else if (options.RestartBroker) actions.Add(new RestartBroker(Between(early, late)));
        else if (options.RestartDatabase) actions.Add(new RestartDatabase(Between(early, late)));
        return [.. actions.OrderBy(a => a.At)];
    }
}

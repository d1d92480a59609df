namespace Reminders.Platform.Bus;

public enum BusTransport
{
    InMemory,
    RabbitMq,
}

/// <summary>Configuration section <c>Bus</c>.</summary>
public sealed class BusOptions
{
    public const string Section = "Bus";

    /// <summary><c>InMemory</c> (local default, one process) or <c>RabbitMq</c> (distributed).</summary>
    public BusTransport Transport { get; set; } = BusTransport.InMemory;

    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>Retries of a failed consumer before its message goes to the endpoint's <c>_error</c> queue (exponential, ~2.5 minutes at 10).</summary>
    public int RetryLimit { get; set; } = 10;

    /// <summary>How often the error and skipped queues are counted for the metric (health checks count on demand).</summary>
    public int ErrorQueuePollSeconds { get; set; } = 30;

    /// <summary>
    /// Declare this service's queues, exchanges and bindings on the broker, then exit without consuming (compose's and the
    /// distributed tests' init step: every subscriber's queue exists before anything is published).
    /// </summary>
    public bool DeployTopologyOnly { get; set; }
}

public sealed class RabbitMqOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";
    /// <summary>Quorum queues (replicated, durable) for every receive endpoint; turn off only for a single-node broker that lacks them.</summary>
    public bool QuorumQueues { get; set; } = true;
    /// <summary>
    /// Messages each receive endpoint handles at once (and prefetches). Our consumers wait on the database and the SMS
    /// provider, not the CPU, so this is well above MassTransit's default of twice the processor count.
    /// </summary>
    public int ConcurrentMessageLimit { get; set; } = 32;
}

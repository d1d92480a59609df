using System.Text.Json.Serialization;

namespace Reminders.ProviderSimulator.Faults;

[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>500 with Twilio error 20500; nothing accepted.</summary>
    [JsonStringEnumMemberName("error500")] Error500,

    /// <summary>429 with Twilio error 20429; nothing accepted.</summary>
    [JsonStringEnumMemberName("error429")] Error429,

    /// <summary>Waits DelayMs, then handles the request as usual.</summary>
    [JsonStringEnumMemberName("slow")] Slow,

    /// <summary>Accepts and logs the message, then holds the response DelayMs (the client times out).</summary>
    [JsonStringEnumMemberName("acceptThenTimeout")] AcceptThenTimeout,

    /// <summary>Accepts and logs the message, then aborts the connection with no response.</summary>
    [JsonStringEnumMemberName("acceptThenDrop")] AcceptThenDrop,

    /// <summary>The final status callback is posted before the <c>sent</c> one.</summary>
    [JsonStringEnumMemberName("callbacksOutOfOrder")] CallbacksOutOfOrder,

    /// <summary>Every status callback of the message is posted twice.</summary>
    [JsonStringEnumMemberName("duplicateCallbacks")] DuplicateCallbacks,

    /// <summary>Accepts the message (it goes out, callbacks follow), then answers 502 with a gateway's HTML page, as a load balancer does.</summary>
    [JsonStringEnumMemberName("acceptThenBadGateway")] AcceptThenBadGateway,

    /// <summary>Accepts the message, then answers 200 with an HTML page instead of the Message resource.</summary>
    [JsonStringEnumMemberName("acceptThenHtml")] AcceptThenHtml,

    /// <summary>Accepts the message, then answers 201 with its JSON cut in the middle.</summary>
    [JsonStringEnumMemberName("acceptThenTruncatedJson")] AcceptThenTruncatedJson,

    /// <summary>Accepts the message and answers 201 with <c>status</c> set to the fault's Status (default <c>receiving</c>).</summary>
    [JsonStringEnumMemberName("unknownStatus")] UnknownStatus,

    /// <summary>Every Twilio request (create, fetch, list) is refused with 401/20003, as during a credential rotation.</summary>
    [JsonStringEnumMemberName("credentialsRefused")] CredentialsRefused,

    /// <summary>A page of the message list (GET Messages.json) answers 200 with a gateway's HTML page instead of JSON.</summary>
    [JsonStringEnumMemberName("listUnreadable")] ListUnreadable,
}

/// <summary>Where a fault applies: a create request, the callbacks of an accepted message, authentication of any request, or a page of the message list.</summary>
internal enum FaultFamily { Request, Callback, Credentials, List }

/// <summary>
/// A fault to apply to the next <c>count</c> well-formed create requests (default 1), or, with a
/// <c>probability</c>, to each one at random (seeded when <c>seed</c> is given; <c>count</c> then caps it).
/// With <c>forMs</c> it applies to every request for that long instead (capped by <c>count</c> if given).
/// </summary>
public sealed record FaultSpec(
    [property: JsonPropertyName("kind")] FaultKind Kind,
    [property: JsonPropertyName("count")] int? Count = null,
    [property: JsonPropertyName("delayMs")] int? DelayMs = null,
    [property: JsonPropertyName("probability")] double? Probability = null,
    [property: JsonPropertyName("seed")] int? Seed = null,
    [property: JsonPropertyName("status")] string? Status = null,
    [property: JsonPropertyName("forMs")] int? ForMs = null);

public sealed record ActiveFault(int Id, FaultKind Kind, int? Remaining, int DelayMs, double? Probability, int? Seed, long Applied,
    string? Status = null, DateTimeOffset? Until = null);

/// <summary>Faults on demand. Request faults and callback faults are drawn separately, so one of each can apply to a message.</summary>
public sealed class SimulatorFaults(TimeProvider time)
{
    public const int DefaultDelayMs = 2000;

    /// <summary>What <see cref="FaultKind.UnknownStatus"/> answers unless told otherwise: documented by Twilio, yet never an outbound message's.</summary>
    public const string DefaultUnknownStatus = "receiving";

    private readonly Lock gate = new();
    private readonly List<Rule> rules = [];
    private int nextId;

    public static string? Problem(FaultSpec spec) => spec switch
    {
        _ when !Enum.IsDefined(spec.Kind) => "unknown kind",
        { Count: < 1 } => "count must be at least 1",
        { DelayMs: < 0 } => "delayMs must not be negative",
        { Probability: < 0 or > 1 } => "probability must be between 0 and 1",
        { ForMs: < 1 } => "forMs must be at least 1",
        { Status: { } status } when spec.Kind != FaultKind.UnknownStatus || string.IsNullOrWhiteSpace(status) => "status is only for unknownStatus, and not blank",
        _ => null,
    };

    public ActiveFault Add(FaultSpec spec)
    {
        if (Problem(spec) is { } problem)
        {
            throw new ArgumentException(problem, nameof(spec));
        }
        lock (gate)
        {
            var rule = new Rule(
                ++nextId,
                spec,
                spec.Probability is null && spec.ForMs is null ? spec.Count ?? 1 : spec.Count,
                spec.Probability is null ? null : spec.Seed is { } seed ? new Random(seed) : new Random(),
                spec.ForMs is { } ms ? time.GetUtcNow().AddMilliseconds(ms) : null);
            rules.Add(rule);
            return rule.View();
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
        }
    }

    public IReadOnlyList<ActiveFault> Active()
    {
        lock (gate)
        {
            rules.RemoveAll(r => r.Until <= time.GetUtcNow());
            return rules.Select(r => r.View()).ToArray();
        }
    }

    internal static FaultFamily FamilyOf(FaultKind kind) => kind switch
    {
        FaultKind.CallbacksOutOfOrder or FaultKind.DuplicateCallbacks => FaultFamily.Callback,
        FaultKind.CredentialsRefused => FaultFamily.Credentials,
        FaultKind.ListUnreadable => FaultFamily.List,
        _ => FaultFamily.Request,
    };

    /// <summary>Draws the fault for one request, from the rules of one family, oldest rule first.</summary>
    internal AppliedFault? Next(FaultFamily family)
    {
        lock (gate)
        {
            rules.RemoveAll(r => r.Until <= time.GetUtcNow());
            foreach (var rule in rules)
            {
                if (FamilyOf(rule.Spec.Kind) != family)
                {
                    continue;
                }
                if (rule.Random is { } random && random.NextDouble() >= rule.Spec.Probability)
                {
                    continue;
                }
                rule.Applied++;
                if (rule.Remaining is not null && --rule.Remaining == 0)
                {
                    rules.Remove(rule);
                }
                return new AppliedFault(rule.Spec.Kind, TimeSpan.FromMilliseconds(rule.Spec.DelayMs ?? DefaultDelayMs),
                    rule.Spec.Status ?? DefaultUnknownStatus);
            }
            return null;
        }
    }

    private sealed class Rule(int id, FaultSpec spec, int? remaining, Random? random, DateTimeOffset? until)
    {
        public FaultSpec Spec { get; } = spec;
        public DateTimeOffset? Until { get; } = until;
        public int? Remaining { get; set; } = remaining;
        public Random? Random { get; } = random;
        public long Applied { get; set; }

        public ActiveFault View() =>
            new(id, Spec.Kind, Remaining, Spec.DelayMs ?? DefaultDelayMs, Spec.Probability, Spec.Seed, Applied, Spec.Status, Until);
    }
}

internal sealed record AppliedFault(FaultKind Kind, TimeSpan Delay, string Status);

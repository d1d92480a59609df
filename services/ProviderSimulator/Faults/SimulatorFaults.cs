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
}

/// <summary>
/// A fault to apply to the next <c>count</c> well-formed create requests (default 1), or, with a
/// <c>probability</c>, to each one at random (seeded when <c>seed</c> is given; <c>count</c> then caps it).
/// </summary>
public sealed record FaultSpec(
    [property: JsonPropertyName("kind")] FaultKind Kind,
    [property: JsonPropertyName("count")] int? Count = null,
    [property: JsonPropertyName("delayMs")] int? DelayMs = null,
    [property: JsonPropertyName("probability")] double? Probability = null,
    [property: JsonPropertyName("seed")] int? Seed = null);

public sealed record ActiveFault(int Id, FaultKind Kind, int? Remaining, int DelayMs, double? Probability, int? Seed, long Applied);

/// <summary>Faults on demand. Request faults and callback faults are drawn separately, so one of each can apply to a message.</summary>
public sealed class SimulatorFaults
{
    public const int DefaultDelayMs = 2000;

    private readonly Lock gate = new();
    private readonly List<Rule> rules = [];
    private int nextId;

    public static string? Problem(FaultSpec spec) => spec switch
    {
        _ when !Enum.IsDefined(spec.Kind) => "unknown kind",
        { Count: < 1 } => "count must be at least 1",
        { DelayMs: < 0 } => "delayMs must not be negative",
        { Probability: < 0 or > 1 } => "probability must be between 0 and 1",
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
                spec.Probability is null ? spec.Count ?? 1 : spec.Count,
                spec.Probability is null ? null : spec.Seed is { } seed ? new Random(seed) : new Random());
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
            return rules.Select(r => r.View()).ToArray();
        }
    }

    internal static bool IsCallbackFault(FaultKind kind) => kind is FaultKind.CallbacksOutOfOrder or FaultKind.DuplicateCallbacks;

    /// <summary>Draws the fault for one request, from the rules of one family, oldest rule first.</summary>
    internal AppliedFault? Next(bool callbackFaults)
    {
        lock (gate)
        {
            foreach (var rule in rules)
            {
                if (IsCallbackFault(rule.Spec.Kind) != callbackFaults)
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
                return new AppliedFault(rule.Spec.Kind, TimeSpan.FromMilliseconds(rule.Spec.DelayMs ?? DefaultDelayMs));
            }
            return null;
        }
    }

    private sealed class Rule(int id, FaultSpec spec, int? remaining, Random? random)
    {
        public FaultSpec Spec { get; } = spec;
        public int? Remaining { get; set; } = remaining;
        public Random? Random { get; } = random;
        public long Applied { get; set; }

        public ActiveFault View() =>
            new(id, Spec.Kind, Remaining, Spec.DelayMs ?? DefaultDelayMs, Spec.Probability, Spec.Seed, Applied);
    }
}

internal sealed record AppliedFault(FaultKind Kind, TimeSpan Delay);

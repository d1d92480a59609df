namespace Reminders.ProviderSimulator.Log;

public sealed record SimulatorStats(
    int Accepted,
    long RejectedTotal,
    IReadOnlyDictionary<string, long> Rejected,
    IReadOnlyDictionary<string, int> ByStatus,
    CallbackStats Callbacks,
    long Replies);

/// <summary>Delivered: receiver answered 2xx; Refused: 4xx (not retried); Failed: gave up after retries.</summary>
public sealed record CallbackStats(long Delivered, long Refused, long Failed, long Retries);

namespace Reminders.ProviderSimulator.Log;

/// <summary>A request to create a message, as it arrived (<see cref="From"/>: the sender or Messaging Service sid asked for).</summary>
public sealed record SimulatedRequest(DateTimeOffset ReceivedAt, string? From, string? To);

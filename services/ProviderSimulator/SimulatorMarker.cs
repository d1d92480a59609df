namespace Reminders.ProviderSimulator;

/// <summary>Entry-point marker for <c>WebApplicationFactory&lt;SimulatorMarker&gt;</c>; the generated Program stays internal.</summary>
public sealed class SimulatorMarker;

namespace Reminders.Contracts;

/// <summary>One sector's arm in a randomization: "treatment" or "control".</summary>
public record SectorArm(Guid SectorId, string Arm);

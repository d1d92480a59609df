namespace Reminders.Contracts;

/// <summary>
/// One sector's arm in a randomization: "treatment" or "control". <see cref="Stratum"/>: the sector's randomization stratum
/// ("zone=Centro;size=large", the strata in the randomization's order; "" when it had none), null in messages sent before it existed.
/// </summary>
public record SectorArm(Guid SectorId, string Arm, string? Stratum = null);

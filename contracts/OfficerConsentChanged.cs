namespace Reminders.Contracts;

/// <summary>
/// The roster changed an officer's consent to SMS, effective from <see cref="ChangedAt"/>: with no consent the officer
/// gets no SMS of any kind (their reminders are skipped as no_consent), and is still trained with their sector.
/// </summary>
public record OfficerConsentChanged(Guid OfficerId, bool Consent, DateTimeOffset ChangedAt);

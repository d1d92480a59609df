namespace Reminders.Contracts;

public record TrainingSessionCancelled(Guid SessionId, Guid CohortId, string Reason, DateTimeOffset CancelledAt);

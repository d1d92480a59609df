namespace Reminders.Web.Components.Pages.Training;

/// <summary>
/// The training pages' shared words (<c>Resources/Components/Pages/Training/TrainingWords.resx</c>): SMS kinds, plan and
/// closing reasons, what a change will send. The study-wide statuses stay in <see cref="Words"/>.
/// </summary>
public sealed class TrainingWords;

namespace Reminders.Contracts;

public static class StudyArms
{
    public const string Treatment = "treatment";
    public const string Control = "control";
}

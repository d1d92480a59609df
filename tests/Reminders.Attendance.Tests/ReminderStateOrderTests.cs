using Reminders.Attendance.Tests.Infrastructure;
using Reminders.Contracts;
using static Reminders.Attendance.Tests.Infrastructure.AttendanceHost;

namespace Reminders.Attendance.Tests;

/// <summary>
/// A reminder's plan state in the dosage ledger is the latest of its planned, skipped and restored facts by their time,
/// whatever order they arrive in: a reminder skipped not_eligible at the first close and restored at the second shows
/// pending (then sent), and one skipped again shows its new reason.
/// </summary>
public sealed class ReminderStateOrderTests
{
    static readonly DateTimeOffset FirstClose = Local(2026, 11, 5, 10, 0);
    static readonly DateTimeOffset SecondClose = FirstClose.AddDays(2);
    static readonly DateTimeOffset Due = Local(2026, 11, 20, 10, 0);

    static RemindersPlanned SkippedAtFirstClose(Guid cohort, Guid officer, Guid sms) =>
        new(cohort, "v-test", [new PlannedReminder(sms, officer, 1, Due, "skipped", SmsSkipReasons.NotEligible)], FirstClose);

    async Task<(string Status, string? Reason)> StateAsync(AttendanceHost host, Guid officer)
    {
        var dose = Assert.Single((await host.ReadLedgerAsync([officer])).Single().Reminders);
        return (dose.Status, dose.SkipReason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_restored_reminder_is_pending_whichever_of_plan_and_restore_arrives_first(bool restoreFirst)
    {
        await using var host = Sqlite(SecondClose);
        var (cohort, officer, sms) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var restored = new ReminderRestored(sms, officer, 1, Due, SmsSkipReasons.NotEligible, SecondClose);

        if (restoreFirst) await host.DeliverAsync(restored);
        await host.DeliverAsync(SkippedAtFirstClose(cohort, officer, sms));
        if (!restoreFirst) await host.DeliverAsync(restored);

        Assert.Equal(("pending", (string?)null), await StateAsync(host, officer));
        await host.DeliverAsync(new SmsAccepted(sms, officer, SmsPurposes.Reminder, $"SM{sms:N}", 1, Due.AddSeconds(3)));
        Assert.Equal(("accepted", (string?)null), await StateAsync(host, officer));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reminder_skipped_again_shows_its_latest_reason_whichever_arrives_first(bool skipFirst)
    {
        await using var host = Sqlite(SecondClose);
        var (cohort, officer, sms) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var skippedAgain = new ReminderSkipped(sms, officer, 1, SmsSkipReasons.MissedWindow, SecondClose);

        if (skipFirst) await host.DeliverAsync(skippedAgain);
        await host.DeliverAsync(SkippedAtFirstClose(cohort, officer, sms));
        if (!skipFirst) await host.DeliverAsync(skippedAgain);

        Assert.Equal(("skipped", SmsSkipReasons.MissedWindow), await StateAsync(host, officer));
    }

    [Fact]
    public async Task A_planned_reminder_skipped_then_restored_then_skipped_shows_the_last_even_delivered_backwards()
    {
        await using var host = Sqlite(SecondClose);
        var (cohort, officer, sms) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        await host.DeliverAsync(new ReminderSkipped(sms, officer, 1, SmsSkipReasons.NotEligible, SecondClose.AddDays(2)));
        await host.DeliverAsync(new ReminderRestored(sms, officer, 1, Due, SmsSkipReasons.OptedOut, SecondClose.AddDays(1)));
        await host.DeliverAsync(new ReminderSkipped(sms, officer, 1, SmsSkipReasons.OptedOut, SecondClose));
        await host.DeliverAsync(new RemindersPlanned(cohort, "v-test", [new PlannedReminder(sms, officer, 1, Due, "planned", null)], FirstClose));

        Assert.Equal(("skipped", SmsSkipReasons.NotEligible), await StateAsync(host, officer));
    }
}

using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// One study, two zones: a Mexico City sector (UTC−6 all year) and a Tijuana sector (US daylight saving: UTC−7 in
/// summer). Sessions, logistics texts, reminder due times and the sending window each follow the sector's own wall clock.
/// The study clock stands on Monday 7 June 2027, 08:00 in Mexico City (07:00 in Tijuana).
/// </summary>
public sealed class SectorTimeZoneTests : IAsyncLifetime
{
    static readonly TimeSpan Tijuana = TimeSpan.FromHours(-7);
    static readonly DateTimeOffset JuneMorning = new(2027, 6, 7, 8, 0, 0, MexicoCity);
    SchedulerHost host = null!;
    SeededSector cdmx = null!;
    SeededSector tijuana = null!;

    public async Task InitializeAsync()
    {
        host = Sqlite(JuneMorning);
        cdmx = await host.SeedSectorAsync("CDMX-01", StudyArms.Treatment, officers: 2);
        tijuana = await host.SeedSectorAsync("TIJ-01", StudyArms.Treatment, officers: 2, timeZone: "America/Tijuana");
        await host.AddVenueAsync("Academia Centro", 30);
        await host.AddVenueAsync("Academia Tijuana", 30);
        await host.AddTrainerAsync("Instructora Paz");
        await host.AddTrainerAsync("Instructor Soto");
    }

    [Fact]
    public async Task Each_sectors_training_starts_at_09_00_on_its_own_wall_clock_and_the_invitation_says_09_00()
    {
        var plan = await host.PlanAsync("2027-06-14", "2027-06-30");

        var byCode = plan.Plan.ToDictionary(c => c.SectorCode);
        Assert.Equal(new DateTimeOffset(2027, 6, 14, 9, 0, 0, MexicoCity), byCode["CDMX-01"].Sessions[0].StartsAt);
        Assert.Equal(new DateTimeOffset(2027, byCode["TIJ-01"].Sessions[0].StartsAt.Month, byCode["TIJ-01"].Sessions[0].StartsAt.ToOffset(Tijuana).Day, 9, 0, 0, Tijuana),
            byCode["TIJ-01"].Sessions[0].StartsAt);
        var tijuanaRows = await host.PlannedSmsAsync(byCode["TIJ-01"].CohortId);
        Assert.All(tijuanaRows.Where(r => r.Kind == PlannedSmsKinds.Invitation), r => Assert.Contains("a las 09:00 h", r.Body));
        // The day before at 18:00 in Tijuana, which is 19:00 in Mexico City.
        var firstDay = DateOnly.Parse(byCode["TIJ-01"].Sessions[0].Date);
        Assert.All(tijuanaRows.Where(r => r.Kind == PlannedSmsKinds.DayBefore),
            r => Assert.Equal(new DateTimeOffset(firstDay.AddDays(-1).ToDateTime(new TimeOnly(18, 0)), Tijuana), r.DueAt));
    }

    [Fact]
    public async Task Reminders_are_due_at_ten_on_each_officers_own_wall_clock()
    {
        var plan = await host.PlanAsync("2027-06-14", "2027-06-30");
        foreach (var cohort in plan.Plan)
        {
            var sector = cohort.SectorCode == "CDMX-01" ? cdmx : tijuana;
            await host.PublishAsync(new CohortAttendanceClosed(cohort.CohortId, sector.SectorId, "officer",
                sector.Officers.Select(o => new OfficerAttendanceTotal(o, 540, 540, 3, 3, false)).ToList(), host.Now));
        }
        await EventuallyAsync("reminders of both cohorts", async () =>
            (await host.PlannedSmsAsync()).Count(r => r.Kind == PlannedSmsKinds.Reminder) == 4 * 6);

        var reminders = (await host.PlannedSmsAsync()).Where(r => r.Kind == PlannedSmsKinds.Reminder).ToList();
        Assert.All(reminders.Where(r => cdmx.Officers.Contains(r.OfficerId)), r => Assert.Equal(new TimeOnly(10, 0), TimeOnly.FromDateTime(r.DueAt.ToOffset(MexicoCity).DateTime)));
        Assert.All(reminders.Where(r => tijuana.Officers.Contains(r.OfficerId)), r =>
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById("America/Tijuana");
            Assert.Equal(new TimeOnly(10, 0), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(r.DueAt, zone).DateTime));
        });
        // Same local hour, different instants: Tijuana's are an hour later in summer.
        var first = reminders.Where(r => r.ReminderNumber == 1).ToList();
        Assert.Equal(TimeSpan.FromHours(1), first.First(r => tijuana.Officers.Contains(r.OfficerId)).DueAt - first.First(r => cdmx.Officers.Contains(r.OfficerId)).DueAt);
    }

    [Fact]
    public async Task At_08_30_in_Tijuana_the_Mexico_City_row_is_dispatched_and_the_Tijuana_row_waits_for_09_00_there()
    {
        host.Clock.SetUtcNow(new DateTimeOffset(2027, 6, 7, 8, 30, 0, Tijuana));
        var (here, there) = (host.Row(cdmx.Officers[0], host.Now.AddMinutes(-1)), host.Row(tijuana.Officers[0], host.Now.AddMinutes(-1)));
        await host.AddPlannedSmsAsync(here, there);

        Assert.Equal(new DispatchRound(1, 0), await host.DispatchAsync());
        var sent = Assert.Single(await host.SentSmsAsync());
        Assert.Equal(here.SmsId, sent.Command.SmsId);
        Assert.Null(sent.Command.TimeZone);

        host.Clock.SetUtcNow(new DateTimeOffset(2027, 6, 7, 9, 0, 0, Tijuana));
        Assert.Equal(new DispatchRound(1, 0), await host.DispatchAsync());
        Assert.Equal("America/Tijuana", (await host.SentSmsAsync()).Single(s => s.Command.SmsId == there.SmsId).Command.TimeZone);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}

using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Web.Components.Pages.Trainer;
using Reminders.Web.Services;

namespace Reminders.Console.Tests;

/// <summary>The roll call's own logic, without a browser: times as a trainer types them, and the form turned into what Attendance must record.</summary>
public sealed class RollCallMarksTests
{
    static readonly TimeZoneInfo MexicoCity = TimeZoneInfo.FindSystemTimeZoneById("America/Mexico_City");
    static readonly DateTimeOffset Start = new(2026, 12, 3, 15, 0, 0, TimeSpan.Zero); // 09:00 in Mexico City
    static readonly DateTimeOffset End = Start.AddHours(3);
    static readonly Guid Ana = Guid.Parse("00000000-0000-0000-0000-00000000000a"), Beto = Guid.Parse("00000000-0000-0000-0000-00000000000b");

    static SessionFrame Frame(bool ended = true) => new(new DateOnly(2026, 12, 3), MexicoCity, Start, End, ended);

    [Theory]
    [InlineData("9:40", 9, 40)]
    [InlineData("09:40", 9, 40)]
    [InlineData(" 0940 ", 9, 40)]
    [InlineData("940", 9, 40)]
    [InlineData("9.40", 9, 40)]
    [InlineData("13h05", 13, 5)]
    [InlineData("21 15", 21, 15)]
    public void A_time_typed_on_a_phone_is_read_on_the_24_hour_clock(string typed, int hour, int minute)
    {
        Assert.True(RollCallMarks.TryReadTime(typed, out var time, out _));
        Assert.Equal(new TimeOnly(hour, minute), time);
    }

    [Theory]
    [InlineData("9:40 p. m.", true)]
    [InlineData("9pm", true)]
    [InlineData("24:00", false)]
    [InlineData("9:60", false)]
    [InlineData("nueve", false)]
    [InlineData("", false)]
    public void A_twelve_hour_or_unreadable_time_is_refused_not_guessed(string typed, bool twelveHour)
    {
        Assert.False(RollCallMarks.TryReadTime(typed, out _, out var seenTwelveHour));
        Assert.Equal(twelveHour, seenTwelveHour);
    }

    [Fact]
    public void Everyone_present_with_one_late_arrival_adds_check_ins_and_check_outs_and_the_same_form_again_adds_nothing()
    {
        var marks = new[] { new OfficerMark { OfficerId = Beto, Status = MarkStatus.Late, Arrival = "9:40" } };
        var plan = RollCallMarks.Plan(Frame(), [Ana, Beto], marks, allPresent: true, []);
        Assert.Empty(plan.Problems);
        Assert.False(plan.NeedsReason);
        Assert.Equal(
            [(Ana, "check_in", Start), (Ana, "check_out", End), (Beto, "check_in", Start.AddMinutes(40)), (Beto, "check_out", End)],
            plan.Changes.Cast<RollCallChange.Add>().Select(a => (a.OfficerId, a.Kind, a.At)));

        var recorded = plan.Changes.Cast<RollCallChange.Add>().Select(a => new RecordedMark(Guid.NewGuid(), a.OfficerId, a.Kind, a.At)).ToList();
        Assert.Empty(RollCallMarks.Plan(Frame(), [Ana, Beto], marks, allPresent: true, recorded).Changes);
        // The form as the page shows it afterwards says the same.
        var shown = new[] { Ana, Beto }.Select(id => RollCallMarks.FromRecord(id, [.. recorded.Where(r => r.OfficerId == id)], true, Frame())).ToList();
        Assert.Equal([(MarkStatus.Present, null), (MarkStatus.Late, "09:40")], shown.Select(m => (m.Status, m.Arrival)));
        Assert.Empty(RollCallMarks.Plan(Frame(), [Ana, Beto], shown, allPresent: false, recorded).Changes);
    }

    [Fact]
    public void An_unmarked_officer_without_everyone_present_and_a_late_arrival_without_a_time_stop_the_whole_roll_call()
    {
        var plan = RollCallMarks.Plan(Frame(), [Ana, Beto], [new OfficerMark { OfficerId = Beto, Status = MarkStatus.Late }], allPresent: false, []);
        Assert.Equal([new MarkProblem(Ana, "unmarked"), new MarkProblem(Beto, "arrival_missing")], plan.Problems);
        Assert.Empty(plan.Changes);

        var early = RollCallMarks.Plan(Frame(), [Ana], [new OfficerMark { OfficerId = Ana, Status = MarkStatus.Late, Arrival = "08:30" }], false, []);
        Assert.Equal([new MarkProblem(Ana, "arrival_not_late")], early.Problems);
    }

    [Fact]
    public void Changing_what_is_recorded_is_a_correction_that_needs_a_reason_and_adding_what_is_missing_is_not()
    {
        var recorded = new List<RecordedMark>
        {
            new(Guid.NewGuid(), Ana, "check_in", Start), new(Guid.NewGuid(), Ana, "check_out", End),
            new(Guid.NewGuid(), Beto, "check_in", Start.AddMinutes(40)), new(Guid.NewGuid(), Beto, "check_out", End),
        };
        var undo = RollCallMarks.Plan(Frame(), [Ana, Beto],
            [new OfficerMark { OfficerId = Ana, Status = MarkStatus.Absent }, new OfficerMark { OfficerId = Beto, Status = MarkStatus.Present }], false, recorded);
        Assert.True(undo.NeedsReason);
        Assert.Equal(2, undo.Changes.OfType<RollCallChange.Remove>().Count(r => r.OfficerId == Ana));
        var moved = Assert.Single(undo.Changes.OfType<RollCallChange.Move>());
        Assert.Equal((Beto, Start.AddMinutes(40), Start), (moved.OfficerId, moved.From, moved.To));

        // A check-in before the start counts from the start: "present" keeps it as it is.
        var early = new List<RecordedMark> { new(Guid.NewGuid(), Ana, "check_in", Start.AddMinutes(-5)), new(Guid.NewGuid(), Ana, "check_out", End.AddMinutes(3)) };
        Assert.Empty(RollCallMarks.Plan(Frame(), [Ana], [new OfficerMark { OfficerId = Ana, Status = MarkStatus.Present }], false, early).Changes);
    }

    [Fact]
    public void While_the_session_is_under_way_the_check_out_at_the_end_waits_and_an_early_leave_is_written()
    {
        var marks = new[] { new OfficerMark { OfficerId = Beto, Status = MarkStatus.LeftEarly, Departure = "10:30" } };
        var plan = RollCallMarks.Plan(Frame(ended: false), [Ana, Beto], marks, allPresent: true, []);
        Assert.True(plan.CheckOutsPending);
        Assert.Equal([(Ana, "check_in"), (Beto, "check_in"), (Beto, "check_out")], plan.Changes.Select(c => (c.OfficerId, c.Kind)));
    }

    [Fact]
    public void A_retried_addition_keeps_its_event_id_and_one_made_again_after_a_removal_gets_a_new_one()
    {
        var session = Guid.NewGuid();
        var add = new RollCallChange.Add(Ana, "check_in", Start);
        Assert.Equal(RollCallMarks.EventId(session, add, 0), RollCallMarks.EventId(session, add, 0));
        Assert.NotEqual(RollCallMarks.EventId(session, add, 0), RollCallMarks.EventId(session, add, 1));
    }
}

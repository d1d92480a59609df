using Reminders.Attendance.Recording;
using static Reminders.Attendance.Recording.AttendanceEventKind;

namespace Reminders.Attendance.Tests;

/// <summary>The minute arithmetic of one officer in one 09:00–12:00 session (Mexico City, UTC−6).</summary>
public sealed class AttendanceCalculatorTests
{
    static readonly DateTimeOffset Start = new(2026, 9, 14, 9, 0, 0, TimeSpan.FromHours(-6));
    static readonly DateTimeOffset End = Start.AddHours(3);

    static DateTimeOffset At(int hour, int minute) => new(2026, 9, 14, hour, minute, 0, TimeSpan.FromHours(-6));
    static AttendanceEvent In(int h, int m) => new(CheckIn, At(h, m));
    static AttendanceEvent Out(int h, int m) => new(CheckOut, At(h, m));

    static SessionAttendance Compute(params AttendanceEvent[] events) => AttendanceCalculator.Compute(Start, End, events);

    [Fact]
    public void On_time_for_the_whole_session_is_present_with_all_minutes()
    {
        var a = Compute(In(8, 58), Out(12, 1));
        Assert.Equal((AttendanceStatuses.Present, 180, 180), (a.Status, a.MinutesAttended, a.MinutesPlanned));
    }

    [Fact]
    public void A_check_in_before_the_start_counts_from_the_start_and_a_late_check_out_to_the_end()
    {
        Assert.Equal(180, Compute(In(7, 30), Out(13, 45)).MinutesAttended);
    }

    [Fact]
    public void Arriving_late_reduces_the_minutes_and_marks_late_beyond_the_grace()
    {
        var late = Compute(In(9, 25), Out(12, 0));
        Assert.Equal((AttendanceStatuses.Late, 155, true), (late.Status, late.MinutesAttended, late.Late));
        var withinGrace = Compute(In(9, 8), Out(12, 0));
        Assert.Equal((AttendanceStatuses.Present, 172, false), (withinGrace.Status, withinGrace.MinutesAttended, withinGrace.Late));
    }

    [Fact]
    public void Leaving_early_reduces_the_minutes_and_marks_left_early()
    {
        var a = Compute(In(9, 0), Out(11, 15));
        Assert.Equal((AttendanceStatuses.LeftEarly, 135, true), (a.Status, a.MinutesAttended, a.LeftEarly));
    }

    [Fact]
    public void Late_and_left_early_keeps_both_flags()
    {
        var a = Compute(In(9, 30), Out(11, 0));
        Assert.Equal((AttendanceStatuses.Late, 90, true, true), (a.Status, a.MinutesAttended, a.Late, a.LeftEarly));
    }

    [Fact]
    public void No_check_in_is_absent_and_an_excused_officer_has_no_minutes()
    {
        Assert.Equal((AttendanceStatuses.Absent, 0), (Compute().Status, Compute().MinutesAttended));
        var excused = AttendanceCalculator.Compute(Start, End, [In(9, 0), Out(12, 0)], excused: true);
        Assert.Equal((AttendanceStatuses.Excused, 0), (excused.Status, excused.MinutesAttended));
    }

    [Fact]
    public void Duplicate_check_ins_and_check_outs_do_not_double_count()
    {
        var a = Compute(In(9, 0), In(9, 0), In(9, 0), Out(12, 0), Out(12, 0));
        Assert.Equal((180, 3), (a.MinutesAttended, a.IgnoredEvents));
    }

    [Fact]
    public void Events_recorded_out_of_order_give_the_same_minutes()
    {
        var ordered = Compute(In(9, 0), Out(10, 0), In(10, 30), Out(12, 0));
        var shuffled = Compute(Out(12, 0), In(10, 30), Out(10, 0), In(9, 0));
        Assert.Equal(ordered, shuffled);
        Assert.Equal(150, ordered.MinutesAttended);
    }

    [Fact]
    public void A_second_check_in_while_already_in_is_ignored_not_counted_twice()
    {
        var a = Compute(In(9, 0), In(9, 30), Out(12, 0));
        Assert.Equal((180, 1), (a.MinutesAttended, a.IgnoredEvents));
    }

    [Fact]
    public void A_check_out_with_no_check_in_before_it_is_ignored()
    {
        var a = Compute(Out(8, 50), In(9, 0), Out(12, 0));
        Assert.Equal((180, 1), (a.MinutesAttended, a.IgnoredEvents));
    }

    [Fact]
    public void A_missing_check_out_counts_to_the_end_and_is_flagged()
    {
        var a = Compute(In(10, 0));
        Assert.Equal((120, true), (a.MinutesAttended, a.MissingCheckOut));
    }

    [Fact]
    public void Time_entirely_outside_the_session_is_absent()
    {
        Assert.Equal(AttendanceStatuses.Absent, Compute(In(7, 0), Out(8, 30)).Status);
        Assert.Equal(AttendanceStatuses.Absent, Compute(In(12, 30), Out(13, 0)).Status);
    }

    [Fact]
    public void A_correction_that_replaces_a_wrong_check_in_changes_the_minutes()
    {
        var recorded = Compute(In(10, 0), Out(12, 0));
        var corrected = Compute(In(9, 5), Out(12, 0));
        Assert.Equal((120, 175), (recorded.MinutesAttended, corrected.MinutesAttended));
    }

    [Fact]
    public void A_session_that_ends_before_it_starts_is_refused()
    {
        Assert.Throws<ArgumentException>(() => AttendanceCalculator.Compute(End, Start, []));
    }
}

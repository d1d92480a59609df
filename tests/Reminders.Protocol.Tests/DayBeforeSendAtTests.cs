using System.Text.Json.Nodes;
using static Reminders.Protocol.Tests.ProtocolFiles;

namespace Reminders.Protocol.Tests;

/// <summary>logistics.dayBeforeSendAt: the local time of the day-before reminder, optional, inside the sending window.</summary>
public sealed class DayBeforeSendAtTests
{
    [Fact]
    public void Left_out_the_day_before_reminder_goes_at_18_00()
    {
        var protocol = ProtocolLoader.Load(With(p => p.Obj("logistics").Remove("dayBeforeSendAt")));

        Assert.Equal(new TimeOnly(18, 0), protocol.Logistics.DayBeforeSendAt);
        Assert.Equal(LogisticsTemplates.DefaultDayBeforeSendAt, protocol.Logistics.DayBeforeSendAt);
    }

    [Theory]
    [InlineData("09:00")] // the window's start is inside
    [InlineData("12:30")]
    [InlineData("19:59")]
    public void A_time_inside_the_sending_window_is_used_as_given(string time)
    {
        var protocol = ProtocolLoader.Load(With(p => p.Obj("logistics")["dayBeforeSendAt"] = time));

        Assert.Equal(TimeOnly.ParseExact(time, "HH:mm"), protocol.Logistics.DayBeforeSendAt);
    }

    [Theory]
    [InlineData("20:00")] // the window's end is outside
    [InlineData("08:59")]
    [InlineData("00:00")]
    public void A_time_outside_the_sending_window_is_an_error_at_its_path(string time)
    {
        Assert.Equal([$"logistics.dayBeforeSendAt: {time} is outside quietHours 09:00–20:00, the hours when sending is allowed"],
            ErrorsWith(p => p.Obj("logistics")["dayBeforeSendAt"] = time));
    }

    [Fact]
    public void The_time_is_checked_against_the_files_own_quiet_hours()
    {
        Assert.Equal(["logistics.dayBeforeSendAt: 19:00 is outside quietHours 10:00–19:00, the hours when sending is allowed"],
            ErrorsWith(p =>
            {
                p["quietHours"] = new JsonObject { ["start"] = "10:00", ["end"] = "19:00" };
                p.Obj("logistics")["dayBeforeSendAt"] = "19:00";
            }));
    }

    [Theory]
    [InlineData("\"6 pm\"", "logistics.dayBeforeSendAt: must be a time as HH:mm (24-hour, e.g. \"09:00\"), got \"6 pm\"")]
    [InlineData("\"18:00:00\"", "logistics.dayBeforeSendAt: must be a time as HH:mm (24-hour, e.g. \"09:00\"), got \"18:00:00\"")]
    [InlineData("\"8:00\"", "logistics.dayBeforeSendAt: must be a time as HH:mm (24-hour, e.g. \"09:00\"), got \"8:00\"")]
    [InlineData("\"24:00\"", "logistics.dayBeforeSendAt: must be a time as HH:mm (24-hour, e.g. \"09:00\"), got \"24:00\"")]
    [InlineData("\"\"", "logistics.dayBeforeSendAt: must not be empty")]
    [InlineData("18", "logistics.dayBeforeSendAt: must be a string, got the number 18")]
    [InlineData("null", "logistics.dayBeforeSendAt: must be a string, got null")]
    public void A_malformed_time_is_one_error_at_its_path(string value, string expected)
    {
        Assert.Equal([expected], ErrorsWith(p => p.Obj("logistics")["dayBeforeSendAt"] = JsonNode.Parse(value)));
    }

    [Fact]
    public void A_broken_quiet_hours_window_is_reported_once_not_again_for_the_day_before_time()
    {
        Assert.Equal(["quietHours: start (20:00) must be earlier than end (09:00): sending is allowed between them, and the window cannot cross midnight"],
            ErrorsWith(p =>
            {
                p["quietHours"] = new JsonObject { ["start"] = "20:00", ["end"] = "09:00" };
                p.Obj("logistics")["dayBeforeSendAt"] = "07:00";
            }));
    }

    [Fact]
    public void A_misspelt_day_before_field_is_rejected_with_the_right_name()
    {
        Assert.Equal(["logistics.dayBeforeSendAT: unknown field (did you mean \"dayBeforeSendAt\"?)"],
            ErrorsWith(p => p.Obj("logistics")["dayBeforeSendAT"] = "17:00"));
    }

    [Fact]
    public void The_day_before_time_is_reported_in_file_order_with_the_templates_errors()
    {
        Assert.Equal(
        [
            "logistics.dayBeforeSendAt: 21:00 is outside quietHours 09:00–20:00, the hours when sending is allowed",
            "logistics.dayBefore: missing placeholder {sede} (a day-before reminder must give {hora}, {sede})",
        ], ErrorsWith(p =>
        {
            p.Obj("logistics")["dayBeforeSendAt"] = "21:00";
            p.Obj("logistics")["dayBefore"] = "Mañana a las {hora}. Atte. SSC-CDMX";
        }));
    }

    [Fact]
    public void Changing_the_day_before_time_changes_the_fingerprint()
    {
        Assert.NotEqual(ProtocolLoader.LoadDefault().Fingerprint,
            ProtocolLoader.Load(With(p => p.Obj("logistics")["dayBeforeSendAt"] = "17:30")).Fingerprint);
    }

    // Product bug: the 18:00 default is never checked against quietHours, so a window closing at or before 18:00
    // loads cleanly and every day-before reminder is due while sending is not allowed.
    [Fact]
    public void Left_out_with_a_window_closing_before_18_00_the_default_time_is_an_error()
    {
        var errors = ErrorsWith(p =>
        {
            p["quietHours"] = new JsonObject { ["start"] = "09:00", ["end"] = "17:00" };
            p.Obj("logistics").Remove("dayBeforeSendAt");
        });

        Assert.Contains(errors, e => e.StartsWith("logistics.dayBeforeSendAt: ", StringComparison.Ordinal));
    }
}

using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Reminders.Attendance.Dosage;

namespace Reminders.Attendance.Tests;

/// <summary>dosage.csv as R, Stata and pandas read it: exact leading columns, ISO times with offset, 0/1, empty missing, RFC 4180.</summary>
public sealed class DosageExportTests
{
    static readonly string[] LeadingColumns =
    [
        "officer_id", "sector_id", "stratum", "arm", "role", "training_minutes_planned", "training_minutes_attended",
        "training_sessions_attended", "reminders_planned", "reminders_sent", "reminders_delivered", "reminders_failed",
        "reminders_acknowledged", "reminders_skipped", "first_reminder_delivered_at", "last_reminder_delivered_at", "sms_opted_out_at",
        "withdrawn_at", "cross_arm_transfer",
    ];

    static readonly Guid Officer = Guid.Parse("0b5e2a52-93c4-4b8e-9a63-4d2f0c1e7a10");

    static DosageRow Row() => new()
    {
        OfficerId = Officer,
        SectorId = Guid.Parse("5d0c3b0e-1f7a-4a37-8f0e-2b9c6a4d1e22"),
        Stratum = "zona=Centro, \"Norte\";tamano=grande",
        Arm = "treatment",
        Role = "officer",
        TrainingMinutesPlanned = 540, TrainingMinutesAttended = 515, TrainingSessionsPlanned = 3, TrainingSessionsAttended = 3, TrainingCompleted = true,
        RemindersPlanned = 6, RemindersSent = 5, RemindersDelivered = 4, RemindersFailed = 1, RemindersAcknowledged = 2, RemindersSkipped = 1,
        RemindersSkippedByReason = new Dictionary<string, int> { ["opted_out"] = 1 },
        // Mexico City time: written in UTC with +00:00.
        FirstReminderDeliveredAt = new DateTimeOffset(2027, 3, 1, 10, 0, 12, TimeSpan.FromHours(-6)),
        LastReminderDeliveredAt = new DateTimeOffset(2027, 4, 12, 10, 1, 0, TimeSpan.FromHours(-6)),
        SmsOptedOutAt = null,
        CrossArmTransfer = false,
        WalkIn = true,
        Reminders = [new ReminderDose { Number = 1, Status = "delivered", DueAt = new DateTimeOffset(2027, 3, 1, 16, 0, 0, TimeSpan.Zero) }],
    };

    static async Task<string> CsvAsync(params DosageExportRow[] rows) => await DosageExport.CsvAsync(DosageCodebook.Columns(6), rows);

    [Fact]
    public async Task The_header_starts_with_the_issues_columns_in_order()
    {
        var header = (await CsvAsync()).Split("\r\n")[0].Split(',');
        Assert.Equal(LeadingColumns, header.Take(LeadingColumns.Length));
        Assert.Equal(header.Length, header.Distinct().Count());
        Assert.Equal(["snapshot_version", "frozen_at", "post_endline_events"], header[^3..]);
    }

    [Fact]
    public async Task Values_are_iso_times_with_offset_zero_one_booleans_plain_integers_and_empty_when_missing()
    {
        var csv = await CsvAsync(new DosageExportRow(Row()));
        var fields = Parse(csv)[1];
        var header = Parse(csv)[0];
        string Field(string name) => fields[Array.IndexOf(header, name)];

        Assert.Equal("2027-03-01T16:00:12+00:00", Field("first_reminder_delivered_at"));
        Assert.Equal("2027-04-12T16:01:00+00:00", Field("last_reminder_delivered_at"));
        Assert.Equal("", Field("sms_opted_out_at"));
        Assert.Equal("", Field("withdrawn_at"));
        Assert.Equal(("0", "1", "1"), (Field("cross_arm_transfer"), Field("walk_in"), Field("training_completed")));
        Assert.Equal(("540", "515"), (Field("training_minutes_planned"), Field("training_minutes_attended")));
        Assert.Equal(("1", "0"), (Field("reminders_skipped_opted_out"), Field("reminders_skipped_withdrawn")));
        Assert.Equal(("delivered", "2027-03-01T16:00:00+00:00"), (Field("reminder_1_status"), Field("reminder_1_due_at")));
        Assert.Equal(("", ""), (Field("reminder_2_status"), Field("reminder_2_due_at")));
        Assert.Equal(("", "", ""), (Field("snapshot_version"), Field("frozen_at"), Field("post_endline_events")));
        Assert.Equal("zona=Centro, \"Norte\";tamano=grande", Field("stratum"));
    }

    [Fact]
    public async Task A_value_with_a_comma_and_a_quote_is_quoted_as_rfc_4180_and_lines_end_in_crlf_without_a_bom()
    {
        var frozenAt = new DateTimeOffset(2027, 5, 1, 6, 0, 0, TimeSpan.Zero);
        var csv = await CsvAsync(new DosageExportRow(Row(), new DosageSnapshotStamp(2, frozenAt), 0));
        Assert.Contains(",\"zona=Centro, \"\"Norte\"\";tamano=grande\",", csv);
        Assert.EndsWith(",2,2027-05-01T06:00:00+00:00,0\r\n", csv);
        Assert.DoesNotContain("\n", csv.Replace("\r\n", ""));

        using var buffer = new MemoryStream();
        await DosageExport.WriteCsvAsync(buffer, DosageCodebook.Columns(6), [new DosageExportRow(Row())], CancellationToken.None);
        Assert.Equal((byte)'o', buffer.ToArray()[0]);
        Assert.Equal(csv.Split("\r\n")[0], Encoding.UTF8.GetString(buffer.ToArray()).Split("\r\n")[0]);
    }

    [Fact]
    public async Task Every_row_has_as_many_fields_as_the_header()
    {
        var rows = Enumerable.Range(0, 1200).Select(i => new DosageExportRow(Row() with { OfficerId = Guid.NewGuid(), RemindersDelivered = i % 7 })).ToArray();
        var parsed = Parse(await CsvAsync(rows));
        Assert.Equal(1201, parsed.Count);
        Assert.All(parsed, fields => Assert.Equal(parsed[0].Length, fields.Length));
    }

    [Theory]
    [InlineData(null, "Default")]
    [InlineData("", "Default")]
    [InlineData("live", "Live")]
    [InlineData("LATEST", "Latest")]
    [InlineData("3", "Version")]
    [InlineData("0", null)]
    [InlineData("x", null)]
    [InlineData("2.0", null)]
    public void The_snapshot_parameter_is_live_latest_or_a_positive_version(string? value, string? kind) =>
        Assert.Equal(kind, DosageSelection.Parse(value)?.GetType().Name);

    static List<string[]> Parse(string csv)
    {
        using var reader = new CsvReader(new StringReader(csv), new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = false });
        var rows = new List<string[]>();
        while (reader.Read()) rows.Add(reader.Parser.Record!);
        return rows;
    }
}

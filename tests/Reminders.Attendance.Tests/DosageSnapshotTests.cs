using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Reminders.Testing;
using System.Text.Json;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Attendance.Dosage;
using Reminders.Contracts;
using Reminders.Platform.Bus;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.Attendance.Tests;

/// <summary>Endline freezes: immutable, versioned, taken by a manager or by the endline job once a cohort's endline passes.</summary>
public sealed class DosageSnapshotTests : IAsyncLifetime
{
    readonly DosageExportHost host = new();

    public Task InitializeAsync() => host.InitializeAsync();
    public Task DisposeAsync() => host.DisposeAsync();

    [Fact]
    public async Task A_snapshot_never_changes_while_the_live_ledger_moves_on_and_counts_what_came_after()
    {
        var officer = await host.OfficerAsync(StudyArms.Treatment);
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        await host.PlanRemindersAsync(officer, first, second);
        await host.DeliverAsync(officer, first, host.Clock.Now.AddMinutes(-30));
        await host.WaitForLiveAsync(officer, d => d.RemindersDelivered == 1);

        var snapshot = await host.FreezeAsync("endline survey starts");
        Assert.Equal(1, snapshot.GetProperty("version").GetInt32());
        var frozenCsv = await host.CsvAsync("?snapshot=1");
        var storedBefore = await host.StoredDosesAsync();

        host.Clock.Now = host.Clock.Now.AddHours(2);
        await host.DeliverAsync(officer, second, host.Clock.Now);
        await host.Bus.Publish(new ReminderAcknowledged(first, officer, "OK", host.Clock.Now));
        await host.WaitForLiveAsync(officer, d => d.RemindersDelivered == 2 && d.RemindersAcknowledged == 1);

        var frozen = DosageExportHost.Row(await host.CsvAsync("?snapshot=1"), officer);
        var live = DosageExportHost.Row(await host.CsvAsync("?snapshot=live"), officer);
        Assert.Equal(await host.StoredDosesAsync(), storedBefore);
        Assert.Equal(("1", "0", "1"), (frozen["reminders_delivered"], frozen["reminders_acknowledged"], frozen["snapshot_version"]));
        Assert.Equal(("2", "1", ""), (live["reminders_delivered"], live["reminders_acknowledged"], live["snapshot_version"]));
        // Reminder 2 accepted and delivered, reminder 1 acknowledged: three facts after the freeze.
        Assert.Equal("3", frozen["post_endline_events"]);
        Assert.Equal("", live["post_endline_events"]);
        var before = DosageExportHost.Row(frozenCsv, officer);
        foreach (var (column, value) in before.Where(c => c.Key != "post_endline_events"))
            Assert.True(frozen[column] == value, $"{column} changed from \"{value}\" to \"{frozen[column]}\" after the freeze");
    }

    [Fact]
    public async Task Snapshots_are_numbered_in_order_and_the_default_export_takes_each_officers_row_from_the_first_freeze_that_held_them()
    {
        var frozenOfficer = await host.OfficerAsync(StudyArms.Control);
        Assert.Equal(1, (await host.FreezeAsync("first")).GetProperty("version").GetInt32());
        Assert.Equal(2, (await host.FreezeAsync("second")).GetProperty("version").GetInt32());
        var lateOfficer = await host.OfficerAsync(StudyArms.Treatment);

        var list = await host.Researcher.GetFromJsonAsync<JsonElement>("/api/attendance/dosage/snapshots");
        Assert.Equal([1, 2], list.EnumerateArray().Select(s => s.GetProperty("version").GetInt32()));
        Assert.All(list.EnumerateArray(), s => Assert.Equal("study", s.GetProperty("scope").GetString()));
        Assert.Equal(["first", "second"], list.EnumerateArray().Select(s => s.GetProperty("reason").GetString()));

        var byDefault = await host.CsvAsync("");
        Assert.Equal("1", DosageExportHost.Row(byDefault, frozenOfficer)["snapshot_version"]);
        Assert.Equal("", DosageExportHost.Row(byDefault, lateOfficer)["snapshot_version"]);
        Assert.Equal("2", DosageExportHost.Row(await host.CsvAsync("?snapshot=latest"), frozenOfficer)["snapshot_version"]);
        Assert.Equal("1", DosageExportHost.Row(await host.CsvAsync("?snapshot=1"), frozenOfficer)["snapshot_version"]);
        Assert.Null(DosageExportHost.TryRow(await host.CsvAsync("?snapshot=2"), lateOfficer));
    }

    [Fact]
    public async Task Unknown_snapshots_bad_parameters_and_freezes_without_a_reason_or_by_a_researcher_are_refused()
    {
        var unknown = await host.Researcher.GetAsync("/api/attendance/dosage.csv?snapshot=7");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Researcher.GetAsync("/api/attendance/dosage.csv?snapshot=latest")).StatusCode);

        foreach (var bad in new[] { "abc", "0", "-1", "1.5" })
        {
            var response = await host.Researcher.GetAsync($"/api/attendance/dosage.csv?snapshot={bad}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("snapshot", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }
        var noReason = await host.Manager.PostAsJsonAsync("/api/attendance/dosage/snapshots", new { reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal("reason", (await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Researcher.PostAsJsonAsync("/api/attendance/dosage/snapshots", new { reason = "x" })).StatusCode);
        Assert.Empty((await host.Researcher.GetFromJsonAsync<JsonElement>("/api/attendance/dosage/snapshots")).EnumerateArray());
    }

    [Fact]
    public async Task The_endline_job_freezes_a_closed_cohort_once_when_the_clock_passes_its_endline_and_not_before()
    {
        var member = await host.OfficerAsync(StudyArms.Treatment);
        var outsider = await host.OfficerAsync(StudyArms.Treatment);
        var lastDay = DateOnly.FromDateTime(host.Clock.Now.UtcDateTime).AddDays(-3);
        var cohort = await host.ClosedCohortAsync(lastDay, member);
        var protocol = host.Services.GetRequiredService<StudyProtocol>();
        var endline = QuietHours.AtLocal(protocol.Reminders!.EndlineFor(lastDay), TimeOnly.MinValue, protocol.TimeZone);
        var freeze = host.Services.GetRequiredService<EndlineFreeze>();

        host.Clock.Now = endline.AddMinutes(-1);
        Assert.Empty(await freeze.RunAsync(CancellationToken.None));

        host.Clock.Now = endline.AddMinutes(1);
        var taken = Assert.Single(await freeze.RunAsync(CancellationToken.None));
        Assert.Equal((cohort.ToString(), 1, EndlineFreeze.TakenBy), (taken.Scope, taken.Officers, taken.TakenBy));
        Assert.Equal(endline.AddMinutes(1), taken.TakenAt);
        Assert.Equal(endline, taken.AsOf);

        host.Clock.Now = endline.AddDays(5);
        Assert.Empty(await freeze.RunAsync(CancellationToken.None));
        var csv = await host.CsvAsync("");
        Assert.Equal("1", DosageExportHost.Row(csv, member)["snapshot_version"]);
        Assert.Equal("", DosageExportHost.Row(csv, outsider)["snapshot_version"]);
    }

    [Fact]
    public async Task The_endline_row_counts_what_happened_before_the_endline_even_when_folded_after_the_job_ran_and_nothing_that_happened_after_it()
    {
        var officer = await host.OfficerAsync(StudyArms.Treatment);
        var lastDay = DateOnly.FromDateTime(host.Clock.Now.UtcDateTime).AddDays(-3);
        await host.ClosedCohortAsync(lastDay, officer);
        var protocol = host.Services.GetRequiredService<StudyProtocol>();
        var endline = QuietHours.AtLocal(protocol.Reminders!.EndlineFor(lastDay), TimeOnly.MinValue, protocol.TimeZone);
        var freeze = host.Services.GetRequiredService<EndlineFreeze>();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        await host.PlanRemindersAsync(officer, first, second);

        // Folded before the job runs: reminder 1 sent before the endline; reminder 2 sent and delivered after it; an opt-out after it.
        host.Clock.Now = endline.AddHours(2);
        await host.Bus.Publish(new SmsAccepted(first, officer, SmsPurposes.Reminder, "SM1", 1, endline.AddHours(-2)));
        await host.DeliverAsync(officer, second, endline.AddHours(1));
        await host.Bus.Publish(new OfficerStatusChanged(officer, OfficerStatuses.SmsOptedOut, OfficerStatuses.Active, "keyword", endline.AddMinutes(90)));
        await host.WaitForLiveAsync(officer, d => d.RemindersSent == 2 && d.RemindersDelivered == 1 && d.SmsOptedOutAt is not null);
        // (The scheduled run at start may take it first: either way one snapshot, as of the endline.)
        await freeze.RunAsync(CancellationToken.None);
        var snapshot = Assert.Single((await host.Researcher.GetFromJsonAsync<JsonElement>("/api/attendance/dosage/snapshots")).EnumerateArray());
        Assert.Equal((endline, JsonValueKind.Null), (snapshot.GetProperty("asOf").GetDateTimeOffset(), snapshot.GetProperty("sealedAt").ValueKind));

        // Folded after the job ran: reminder 1's delivery receipt (an hour before the endline) and the officer's reply to it.
        host.Clock.Now = endline.AddHours(3);
        await host.Bus.Publish(new SmsStatusChanged(first, officer, SmsPurposes.Reminder, "delivered", null, endline.AddHours(-1)));
        await host.Bus.Publish(new ReminderAcknowledged(first, officer, "OK", endline.AddMinutes(-30)));
        await host.WaitForLiveAsync(officer, d => d.RemindersDelivered == 2 && d.RemindersAcknowledged == 1);
        AssertEndlineRow(DosageExportHost.Row(await host.CsvAsync(""), officer));
        Assert.Empty(await host.StoredDosesAsync());

        // Once the ledger has had its settling time, the job writes the row for good, with the same values.
        host.Clock.Now = endline.Add(DosageExportHost.EndlineSettle);
        await freeze.RunAsync(CancellationToken.None);
        var stored = Assert.Single(await host.StoredDosesAsync());
        AssertEndlineRow(DosageExportHost.Row(await host.CsvAsync("?snapshot=1"), officer));

        // A written row never changes again, even for a fact dated before the endline that arrives later still.
        await host.Bus.Publish(new OfficerStatusChanged(officer, OfficerStatuses.Withdrawn, OfficerStatuses.Active, "manager", endline.AddMinutes(-5)));
        await host.WaitForLiveAsync(officer, d => d.WithdrawnAt is not null);
        AssertEndlineRow(DosageExportHost.Row(await host.CsvAsync(""), officer));
        Assert.Equal(stored, Assert.Single(await host.StoredDosesAsync()));

        void AssertEndlineRow(IReadOnlyDictionary<string, string> row)
        {
            Assert.Equal("1", row["snapshot_version"]);
            Assert.Equal(("1", "1", "1", "1"), (row["reminders_sent"], row["reminders_delivered"], row["reminders_acknowledged"], row["reminders_pending"]));
            Assert.Equal(("delivered", "pending", ""), (row["reminder_1_status"], row["reminder_2_status"], row["reminder_2_sent_at"]));
            Assert.Equal(("", "active"), (row["sms_opted_out_at"], row["study_status"]));
            Assert.Equal(endline, DateTimeOffset.Parse(row["frozen_at"], CultureInfo.InvariantCulture));
            // Reminder 2's acceptance and receipt, and the opt-out.
            Assert.Equal("3", row["post_endline_events"]);
        }
    }

    [Fact]
    public async Task A_managers_freeze_at_T_counts_what_happened_before_T_even_when_folded_later_and_what_happened_after_T_only_as_post_endline_events()
    {
        var officer = await host.OfficerAsync(StudyArms.Treatment);
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        await host.PlanRemindersAsync(officer, first, second);
        var t = host.Clock.Now;
        await host.Bus.Publish(new SmsAccepted(first, officer, SmsPurposes.Reminder, "SM1", 1, t.AddMinutes(-20)));
        await host.WaitForLiveAsync(officer, d => d.RemindersSent == 1);
        var snapshot = await host.FreezeAsync("endline survey starts");

        host.Clock.Now = t.AddHours(2);
        await host.Bus.Publish(new SmsStatusChanged(first, officer, SmsPurposes.Reminder, "delivered", null, t.AddMinutes(-5)));
        await host.DeliverAsync(officer, second, t.AddHours(1));
        await host.Bus.Publish(new ReminderAcknowledged(first, officer, "OK", t.AddMinutes(90)));
        await host.WaitForLiveAsync(officer, d => d.RemindersDelivered == 2 && d.RemindersAcknowledged == 1);

        var frozen = DosageExportHost.Row(await host.CsvAsync("?snapshot=1"), officer);
        Assert.Equal(("1", "1", "0", "1"), (frozen["reminders_sent"], frozen["reminders_delivered"], frozen["reminders_acknowledged"], frozen["reminders_pending"]));
        Assert.Equal(t.AddMinutes(-5), DateTimeOffset.Parse(frozen["reminder_1_delivered_at"], CultureInfo.InvariantCulture));
        Assert.Equal("3", frozen["post_endline_events"]);
        Assert.Equal(t, DateTimeOffset.Parse(frozen["frozen_at"], CultureInfo.InvariantCulture));
        Assert.Equal(t, snapshot.GetProperty("asOf").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, snapshot.GetProperty("sealedAt").ValueKind);

        // Sealed once the settling time has passed: the same row, now stored.
        host.Clock.Now = t.Add(DosageExportHost.EndlineSettle);
        await host.Services.GetRequiredService<EndlineFreeze>().RunAsync(CancellationToken.None);
        Assert.Equal(frozen, DosageExportHost.Row(await host.CsvAsync("?snapshot=1"), officer));
        var header = await host.Researcher.GetFromJsonAsync<JsonElement>("/api/attendance/dosage/snapshots/1");
        Assert.Equal(t.Add(DosageExportHost.EndlineSettle), header.GetProperty("sealedAt").GetDateTimeOffset());
    }
}

/// <summary>
/// The real Attendance service (SQLite in a temp folder, in-memory bus) on a clock the test sets, with officers and
/// cohorts written into its replica tables and SMS events published on its bus, as Messaging would.
/// </summary>
public sealed class DosageExportHost : IAsyncLifetime
{
    public sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
    }

    /// <summary>Wednesday 20 January 2027, 11:00 in Mexico City.</summary>
    /// <summary>How long a snapshot's rows wait for late events dated before its instant (the host's setting).</summary>
    public static readonly TimeSpan EndlineSettle = TimeSpan.FromHours(48);

    public ManualClock Clock { get; } = new(new DateTimeOffset(2027, 1, 20, 17, 0, 0, TimeSpan.Zero));
    readonly string folder = Path.Combine(Path.GetTempPath(), "reminders-dosage-tests-" + Guid.NewGuid().ToString("N"));
    WebApplication app = null!;
    public HttpClient Manager { get; private set; } = null!;
    public HttpClient Researcher { get; private set; } = null!;
    public IServiceProvider Services => app.Services;
    public IBus Bus => app.Services.GetRequiredService<IBus>();
    AttendanceDatabase Database => app.Services.GetRequiredService<AttendanceDatabase>();

    public async Task InitializeAsync()
    {
        var url = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = url,
            ["Database:Provider"] = "Sqlite",
            ["Database:SqliteFolder"] = folder,
            ["Bus:Transport"] = "InMemory",
            ["Auth:ApiKeys:0:Name"] = "manager", ["Auth:ApiKeys:0:Key"] = "manager-key-dosage-tests", ["Auth:ApiKeys:0:Roles:0"] = "manager",
            ["Auth:ApiKeys:1:Name"] = "researcher", ["Auth:ApiKeys:1:Key"] = "researcher-key-dosage-tests", ["Auth:ApiKeys:1:Roles:0"] = "researcher",
            // The job fires once at start (nothing to freeze yet), then not while a test drives the freezer itself.
            [EndlineFreezeRegistration.IntervalKey] = "3600",
            ["Attendance:Endline:SettleHours"] = EndlineSettle.TotalHours.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.AddServiceDefaults();
        builder.AddAttendance();
        builder.AddReminderBus(bus => bus.AddAttendanceConsumers());
        app = builder.Build();
        app.MapServiceDefaults();
        app.MapAttendanceApi();
        await app.StartAsync();
        Manager = Client(url, "manager-key-dosage-tests");
        Researcher = Client(url, "researcher-key-dosage-tests");
    }

    static HttpClient Client(string url, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public async Task ExecuteAsync(string sql, object? param = null)
    {
        await using var work = await Database.BeginAsync();
        await work.ExecuteAsync(sql, param);
        await work.CommitAsync();
    }

    /// <summary>An officer of a new sector randomized to <paramref name="arm"/>.</summary>
    public async Task<Guid> OfficerAsync(string arm, string role = StudyRoles.Officer)
    {
        var (officerId, sectorId) = (Guid.NewGuid(), Guid.NewGuid());
        var at = Clock.Now.AddDays(-60);
        await ExecuteAsync("INSERT INTO sector_arms (sector_id, arm, randomization_id, stratum, randomized_at) VALUES (@sectorId, @arm, @randomizationId, 'zona=Centro', @at)",
            new { sectorId, arm, randomizationId = Guid.NewGuid(), at });
        await ExecuteAsync("INSERT INTO officers (officer_id, sector_id, role, enrolled_at) VALUES (@officerId, @sectorId, @role, @at)",
            new { officerId, sectorId, role, at = at.AddDays(-1) });
        return officerId;
    }

    /// <summary>A cohort whose last session was on <paramref name="lastDay"/>, with these members, its attendance closed.</summary>
    public async Task<Guid> ClosedCohortAsync(DateOnly lastDay, params Guid[] members)
    {
        var cohortId = Guid.NewGuid();
        var starts = new DateTimeOffset(lastDay.ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero);
        await ExecuteAsync("""
            INSERT INTO sessions (session_id, cohort_id, sector_id, role, day_number, local_date, starts_at, ends_at, venue, status, scheduled_at)
            VALUES (@sessionId, @cohortId, @sectorId, 'officer', 1, @date, @starts, @ends, 'Aula 1', 'scheduled', @starts)
            """, new { sessionId = Guid.NewGuid(), cohortId, sectorId = Guid.NewGuid(), date = lastDay.ToString("yyyy-MM-dd"), starts, ends = starts.AddHours(3) });
        foreach (var officerId in members)
            await ExecuteAsync("INSERT INTO cohort_members (cohort_id, officer_id) VALUES (@cohortId, @officerId)", new { cohortId, officerId });
        await ExecuteAsync("INSERT INTO cohort_closures (cohort_id, closed_by, closed_at) VALUES (@cohortId, 'trainer', @at)", new { cohortId, at = starts.AddHours(4) });
        return cohortId;
    }

    /// <summary>Reminders 1..n of the officer, as the Scheduler publishes them when the cohort closes.</summary>
    public Task PlanRemindersAsync(Guid officerId, params Guid[] smsIds) =>
        Bus.Publish(new RemindersPlanned(Guid.NewGuid(), "2026-11-v1",
            smsIds.Select((id, i) => new PlannedReminder(id, officerId, i + 1, Clock.Now.AddDays(-10 + 7 * i), "planned", null)).ToList(), Clock.Now.AddDays(-20)));

    /// <summary>The provider accepts the SMS and then reports it delivered, both at <paramref name="at"/>.</summary>
    public async Task DeliverAsync(Guid officerId, Guid smsId, DateTimeOffset at)
    {
        await Bus.Publish(new SmsAccepted(smsId, officerId, SmsPurposes.Reminder, "SM" + smsId.ToString("N"), 1, at));
        await Bus.Publish(new SmsStatusChanged(smsId, officerId, SmsPurposes.Reminder, "delivered", null, at));
    }

    public async Task WaitForLiveAsync(Guid officerId, Func<DosageRow, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await using (var connection = await Database.OpenAsync())
            {
                var row = (await DosageLedger.ReadAsync(connection, null, [officerId], CancellationToken.None)).SingleOrDefault();
                if (row is not null && done(row)) return;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The ledger never reached the expected dose: {JsonSerializer.Serialize(row)}");
            }
            await Task.Delay(50);
        }
    }

    public async Task<JsonElement> FreezeAsync(string reason)
    {
        var response = await Manager.PostAsJsonAsync("/api/attendance/dosage/snapshots", new { reason });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<string> CsvAsync(string query)
    {
        var response = await Researcher.GetAsync("/api/attendance/dosage.csv" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Every stored snapshot row as written (version, officer, JSON).</summary>
    public async Task<IReadOnlyList<string>> StoredDosesAsync()
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.QueryAsync<string>("SELECT version || ' ' || officer_id || ' ' || dose FROM dosage_snapshot_rows ORDER BY version, officer_id")).AsList();
    }

    /// <summary>The officer's line of a dosage.csv, column by column (no value in these tests holds a comma or quote).</summary>
    public static IReadOnlyDictionary<string, string> Row(string csv, Guid officerId) =>
        TryRow(csv, officerId) ?? throw new Xunit.Sdk.XunitException($"Officer {officerId} is not in the export.");

    public static IReadOnlyDictionary<string, string>? TryRow(string csv, Guid officerId)
    {
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var line = lines.Skip(1).FirstOrDefault(l => l.StartsWith(officerId.ToString(), StringComparison.Ordinal));
        return line is null ? null : header.Zip(line.Split(',')).ToDictionary(p => p.First, p => p.Second);
    }

    public async Task DisposeAsync()
    {
        Manager?.Dispose();
        Researcher?.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}

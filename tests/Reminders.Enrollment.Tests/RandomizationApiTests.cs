using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Enrollment.Randomization;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

public sealed class RandomizationApiTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    const string Randomizations = "/api/enrollment/randomizations";

    async Task<RandomizationApi.RandomizationResult> CommitAsync(long seed, string[]? strata = null)
    {
        var response = await app.RandomizeAsync(seed, strata);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadResultAsync();
    }

    async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_commit_records_the_allocation_sets_every_arm_and_publishes_it()
    {
        var ids = await RandomizationTestData.InsertZonedSectorsAsync(app, 10);
        foreach (var id in ids.Values) await RandomizationTestData.InsertOfficersAsync(app, id, officers: 2, commanders: 1);

        var result = await CommitAsync(20240901, ["zone"]);

        var expected = StratifiedRandomizer.Allocate(
            ids.Keys.Select(c => new SectorForRandomization(c, new Dictionary<string, string> { ["zone"] = int.Parse(c[1..]) % 2 == 1 ? "A" : "B" })).ToList(),
            20240901, ["zone"], 0.5);
        Assert.Equal(expected.Sectors.Select(s => (s.Code, s.Stratum, s.Arm)), result.Assignments.Select(a => (a.SectorCode, a.Stratum, a.Arm)));
        Assert.Equal(("committed", 10, 5, expected.SectorListHash, "ana-manager"), (result.Status, result.SectorCount, result.TreatedCount, result.SectorListHash, result.RequestedBy));
        Assert.Equal(result.Assignments.ToDictionary(a => a.SectorCode, a => (string?)a.Arm), await RandomizationTestData.ArmsAsync(app));
        Assert.Equal(30, await app.CountAsync("SELECT COUNT(*) FROM officers o JOIN sectors s ON s.id = o.sector_id WHERE o.randomized_arm = s.arm"));
        await Eventually.UntilAsync(app, () => app.Bus.Published<SectorsRandomized>().Count == 1, "SectorsRandomized is published");
        var published = app.Bus.Published<SectorsRandomized>().Single();
        Assert.Equal((result.Id!.Value, 20240901L), (published.RandomizationId, published.Seed));
        Assert.Equal(result.Assignments.Select(a => (a.SectorId, a.Arm)).Order(), published.Assignments.Select(a => (a.SectorId, a.Arm)).Order());
    }

    [Fact]
    public async Task A_dry_run_shows_the_allocation_and_balance_and_writes_nothing()
    {
        await RandomizationTestData.InsertZonedSectorsAsync(app, 6);

        var response = await app.RandomizeAsync(5, ["zone"], dryRun: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadResultAsync();
        Assert.Equal(("dry-run", (Guid?)null, 6, 3), (result.Status, result.Id, result.Assignments.Count, result.TreatedCount));
        Assert.Equal(4, result.Balance.Strata.Count);
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM randomizations"));
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM allocation"));
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM sectors WHERE arm IS NOT NULL OR randomization_id IS NOT NULL"));
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM outbox_messages"));
        // The dry run shows exactly what the commit with the same seed then records.
        var committed = await CommitAsync(5, ["zone"]);
        Assert.Equal(result.Assignments.Select(a => (a.SectorCode, a.Arm)), committed.Assignments.Select(a => (a.SectorCode, a.Arm)));
        Assert.DoesNotContain(app.Bus.Published<SectorsRandomized>(), p => p.RandomizationId != committed.Id);
    }

    [Fact]
    public async Task A_second_commit_is_409_and_keeps_the_first_allocation_while_a_dry_run_still_works()
    {
        await RandomizationTestData.InsertZonedSectorsAsync(app, 6);
        await CommitAsync(1);
        var first = await RandomizationTestData.ArmsAsync(app);

        var problem = await ProblemAsync(await app.RandomizeAsync(2), HttpStatusCode.Conflict);

        Assert.Contains("Void", problem.GetProperty("detail").GetString());
        Assert.Equal(first, await RandomizationTestData.ArmsAsync(app));
        Assert.Equal(HttpStatusCode.OK, (await app.RandomizeAsync(2, dryRun: true)).StatusCode);
        Assert.Equal(1, await app.CountAsync("SELECT COUNT(*) FROM randomizations"));
    }

    [Fact]
    public async Task The_record_survives_a_restart_and_a_second_commit_is_still_refused()
    {
        await RandomizationTestData.InsertZonedSectorsAsync(app, 8);
        var committed = await CommitAsync(77, ["zone"]);

        app = await app.RestartAsync();

        var current = await app.Client(EnrollmentApp.ResearcherKey).GetFromJsonAsync<RandomizationRecord>($"{Randomizations}/current");
        Assert.Equal((committed.Id!.Value, 77L, "committed", committed.SectorListHash), (current!.Id, current.Seed, current.Status, current.SectorListHash));
        var allocation = await app.Client().GetFromJsonAsync<RandomizationApi.AllocationResponse>($"{Randomizations}/{committed.Id}/allocation");
        Assert.Equal(committed.Assignments.Select(a => (a.SectorId, a.Arm)), allocation!.Assignments.Select(a => (a.SectorId, a.Arm)));
        await ProblemAsync(await app.RandomizeAsync(78, ["zone"]), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_void_before_the_study_starts_clears_the_arms_keeps_the_audit_trail_and_allows_a_new_commit()
    {
        var ids = await RandomizationTestData.InsertZonedSectorsAsync(app, 6);
        await RandomizationTestData.InsertOfficersAsync(app, ids["S01"], 3, 1);
        var first = await CommitAsync(1);

        var response = await app.VoidAsync(first.Id!.Value, "Two sectors were missing from the list");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var voided = (await response.Content.ReadFromJsonAsync<RandomizationRecord>())!;
        Assert.Equal(("voided", "ana-manager", "Two sectors were missing from the list"), (voided.Status, voided.VoidedBy, voided.VoidReason));
        Assert.NotNull(voided.VoidedAt);
        Assert.All((await RandomizationTestData.ArmsAsync(app)).Values, Assert.Null);
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM officers WHERE randomized_arm IS NOT NULL"));
        await Eventually.UntilAsync(app, () => app.Bus.Published<RandomizationVoided>().Count == 1, "RandomizationVoided is published");
        var published = app.Bus.Published<RandomizationVoided>().Single();
        Assert.Equal(first.Id, published.RandomizationId);
        Assert.Equal(ids.Values.Order(), published.SectorIds.Order());

        var second = await CommitAsync(2);

        var all = await app.Client(EnrollmentApp.ResearcherKey).GetFromJsonAsync<List<RandomizationRecord>>(Randomizations);
        Assert.Equal([(first.Id!.Value, "voided"), (second.Id!.Value, "committed")], all!.Select(r => (r.Id, r.Status)));
        var audit = await app.Client().GetFromJsonAsync<RandomizationApi.AllocationResponse>($"{Randomizations}/{first.Id}/allocation");
        Assert.Equal(("voided", 6), (audit!.Status, audit.Assignments.Count));
        Assert.Equal(4, await app.CountAsync("SELECT COUNT(*) FROM officers WHERE randomized_arm IS NOT NULL"));
        await ProblemAsync(await app.VoidAsync(first.Id!.Value), HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Once_an_sms_was_accepted_the_randomization_can_no_longer_be_voided(bool inABatch)
    {
        await RandomizationTestData.InsertZonedSectorsAsync(app, 4);
        var committed = await CommitAsync(3);

        var accepted = new SmsAccepted(Guid.NewGuid(), Guid.NewGuid(), SmsPurposes.Manual, "SM1", 1, DateTimeOffset.UtcNow);
        // As Messaging's outbox relay sends it: among other SMS events, behind one that is not an acceptance.
        object message = inABatch
            ? new SmsEventsBatch([new SmsEvent(Guid.NewGuid(), StatusChanged: new SmsStatusChanged(Guid.NewGuid(), Guid.NewGuid(), SmsPurposes.Manual, "sent", null, accepted.AcceptedAt)),
                new SmsEvent(Guid.NewGuid(), Accepted: accepted)])
            : accepted;
        await app.Services.GetRequiredService<IBus>().Publish(message);
        await RandomizationTestData.UntilCountAsync(app, "SELECT COUNT(*) FROM study_activity WHERE kind = 'sms_accepted'", 1, "the SMS is recorded as study activity");

        var problem = await ProblemAsync(await app.VoidAsync(committed.Id!.Value), HttpStatusCode.Conflict);
        Assert.Contains("sms_accepted", problem.GetProperty("detail").GetString());
        Assert.Equal("committed", (await app.Client().GetFromJsonAsync<RandomizationRecord>($"{Randomizations}/{committed.Id}"))!.Status);
        Assert.All((await RandomizationTestData.ArmsAsync(app)).Values, Assert.NotNull);
    }

    [Fact]
    public async Task The_study_starts_at_the_earliest_acceptance_whatever_order_acceptances_arrive_in()
    {
        // The consumer skips an acceptance later than one it recorded (no statement, no row lock): an earlier one must still move the start.
        var start = new DateTimeOffset(2027, 1, 4, 17, 30, 0, TimeSpan.Zero);
        async Task AcceptedAsync(DateTimeOffset at, DateTimeOffset expectedStart, string what)
        {
            await app.Services.GetRequiredService<IBus>().Publish(new SmsAccepted(Guid.NewGuid(), Guid.NewGuid(), SmsPurposes.Manual, "SM1", 1, at));
            await RandomizationTestData.UntilCountAsync(app, "SELECT COUNT(*) FROM study_activity WHERE kind = 'sms_accepted' " +
                $"AND first_seen_at = '{Reminders.Platform.Data.DapperTypeHandlers.ToSqliteText(expectedStart)}'", 1, what);
        }
        await AcceptedAsync(start, start, "the first acceptance starts the study");
        await AcceptedAsync(start.AddHours(1), start, "a later acceptance leaves the start");
        await AcceptedAsync(start.AddHours(-2), start.AddHours(-2), "an earlier acceptance moves the start back");
        await AcceptedAsync(start.AddHours(-1), start.AddHours(-2), "the earliest stays");
    }

    [Fact]
    public async Task Void_refuses_an_unknown_randomization_and_a_missing_reason()
    {
        await RandomizationTestData.InsertZonedSectorsAsync(app, 4);
        var committed = await CommitAsync(3);

        await ProblemAsync(await app.VoidAsync(Guid.NewGuid()), HttpStatusCode.NotFound);
        var problem = await ProblemAsync(await app.VoidAsync(committed.Id!.Value, reason: "  "), HttpStatusCode.BadRequest);
        Assert.Equal("reason", problem.GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await app.VoidAsync(committed.Id!.Value, key: EnrollmentApp.ResearcherKey)).StatusCode);
        Assert.Equal("committed", (await app.Client().GetFromJsonAsync<RandomizationRecord>($"{Randomizations}/current"))!.Status);
    }

    [Fact]
    public async Task The_balance_table_counts_sectors_officers_commanders_and_mean_size_per_arm_and_stratum()
    {
        var ids = await RandomizationTestData.InsertZonedSectorsAsync(app, 4);  // S01, S03 in zone A; S02, S04 in zone B
        var staff = new Dictionary<string, (int Officers, int Commanders)> { ["S01"] = (3, 1), ["S02"] = (5, 0), ["S03"] = (1, 1), ["S04"] = (2, 2) };
        foreach (var (code, (officers, commanders)) in staff) await RandomizationTestData.InsertOfficersAsync(app, ids[code], officers, commanders);
        await RandomizationTestData.InsertOfficersAsync(app, ids["S01"], 4, 0, status: "inactive");  // no longer on the roster: not counted
        var result = await CommitAsync(11, ["zone"]);
        var arm = result.Assignments.ToDictionary(a => a.SectorCode, a => a.Arm);
        string Code(string zone, string wanted) => new[] { "S01", "S02", "S03", "S04" }.Single(c => (int.Parse(c[1..]) % 2 == 1 ? "A" : "B") == zone && arm[c] == wanted);

        var balance = await app.Client(EnrollmentApp.ResearcherKey).GetFromJsonAsync<RandomizationApi.BalanceResponse>($"{Randomizations}/{result.Id}/balance");
        var csv = await app.Client(EnrollmentApp.ResearcherKey).GetAsync($"{Randomizations}/{result.Id}/balance.csv");

        var expected = new List<BalanceRow>();
        var lines = new StringBuilder("arm,stratum,sectors,officers,commanders,mean_sector_size\r\n");
        foreach (var zone in new[] { "A", "B" })
            foreach (var a in new[] { StudyArms.Treatment, StudyArms.Control })
            {
                var (officers, commanders) = staff[Code(zone, a)];
                expected.Add(new BalanceRow(a, $"zone={zone}", 1, officers, commanders, officers + commanders));
                lines.Append($"{a},zone={zone},1,{officers},{commanders},{(officers + commanders).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}\r\n");
            }
        Assert.Equal(expected, balance!.Strata);
        Assert.Equal(result.Balance.Strata, balance.Strata);
        var treated = expected.Where(r => r.Arm == StudyArms.Treatment).ToList();
        Assert.Equal(new BalanceRow(StudyArms.Treatment, null, 2, treated.Sum(r => r.Officers), treated.Sum(r => r.Commanders),
            (treated.Sum(r => r.Officers) + treated.Sum(r => r.Commanders)) / 2.0), balance.Arms[0]);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", csv.Content.Headers.ContentType?.CharSet);
        Assert.Equal(lines.ToString(), await csv.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_allocation_csv_is_rfc_4180_with_a_header_and_pseudonymous()
    {
        await RandomizationTestData.InsertSectorsAsync(app, [
            new("N-2", new Dictionary<string, string> { ["alcaldía"] = "Álvaro Obregón, Sur" }),
            new("N-1", new Dictionary<string, string> { ["alcaldía"] = "=HYPERLINK(\"x\")" }),
        ]);

        var result = await CommitAsync(4, ["Alcaldia"]);  // matched ignoring case and accents; recorded as the sectors spell it

        Assert.Equal(["alcaldía"], result.Strata);
        var csv = await app.Client(EnrollmentApp.ResearcherKey).GetStringAsync($"{Randomizations}/{result.Id}/allocation.csv");
        var arm = result.Assignments.ToDictionary(a => a.SectorCode, a => a.Arm);
        Assert.Equal("sector_code,stratum,arm\r\n" +
                     $"N-1,\"alcaldía==HYPERLINK(\"\"x\"\")\",{arm["N-1"]}\r\n" +
                     $"N-2,\"alcaldía=Álvaro Obregón, Sur\",{arm["N-2"]}\r\n", csv);
        Assert.DoesNotContain("Sector N-1", csv);
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { """{"seed":1,"strata":["precinct"]}""", "strata" },
        { """{"seed":1,"treatedShare":0}""", "treatedShare" },
        { """{"seed":1,"treatedShare":1}""", "treatedShare" },
        { """{"seed":1,"treatedShare":-0.5}""", "treatedShare" },
        { """{"strata":[]}""", "seed" },
        { """{"seed":1,"strata":["zone","zone"]}""", "strata" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_is_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        await RandomizationTestData.InsertZonedSectorsAsync(app, 4);

        var response = await app.Client().PostAsync(Randomizations, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(field, (await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM randomizations"));
    }

    [Fact]
    public async Task Fewer_than_two_sectors_is_400()
    {
        await RandomizationTestData.InsertZonedSectorsAsync(app, 1);

        var problem = await ProblemAsync(await app.RandomizeAsync(1), HttpStatusCode.BadRequest);

        Assert.Equal("sectors", problem.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"seed\":\"abc\"}")]
    [InlineData("{\"seed\":1e400}")]
    [InlineData("[1,2,3]")]
    public async Task A_garbage_request_is_a_client_error(string body)
    {
        await RandomizationTestData.InsertZonedSectorsAsync(app, 2);

        var response = await app.Client().PostAsync(Randomizations, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode}");
        Assert.All((await RandomizationTestData.ArmsAsync(app)).Values, Assert.Null);
    }

    [Fact]
    public async Task Managers_and_researchers_read_only_managers_write_trainers_and_strangers_neither()
    {
        await RandomizationTestData.InsertZonedSectorsAsync(app, 2);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.RandomizeAsync(1, key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.RandomizeAsync(1, key: EnrollmentApp.TrainerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.RandomizeAsync(1, key: EnrollmentApp.ResearcherKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.RandomizeAsync(1, dryRun: true, key: EnrollmentApp.ResearcherKey)).StatusCode);
        Assert.All((await RandomizationTestData.ArmsAsync(app)).Values, Assert.Null);
        var id = (await CommitAsync(1)).Id;

        foreach (var path in new[] { "", "/current", $"/{id}", $"/{id}/allocation", $"/{id}/allocation.csv", $"/{id}/balance", $"/{id}/balance.csv" })
        {
            Assert.Equal(HttpStatusCode.OK, (await app.Client(EnrollmentApp.ResearcherKey).GetAsync(Randomizations + path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await app.Client().GetAsync(Randomizations + path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(EnrollmentApp.TrainerKey).GetAsync(Randomizations + path)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client(key: null).GetAsync(Randomizations + path)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await app.VoidAsync(id!.Value, key: EnrollmentApp.TrainerKey)).StatusCode);
    }

    [Fact]
    public async Task Reading_before_any_randomization_or_an_unknown_one_is_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client().GetAsync($"{Randomizations}/current")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client().GetAsync($"{Randomizations}/{Guid.NewGuid()}/allocation.csv")).StatusCode);
        Assert.Empty((await app.Client().GetFromJsonAsync<List<RandomizationRecord>>(Randomizations))!);
    }
}

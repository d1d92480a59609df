using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Contracts;
using Reminders.Enrollment.Officers;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>
/// Names for a roll call (a trainer's or a manager's): officers looked up by id or a walk-in by badge, each with badge,
/// name, role, sector, status, consent, arm of randomization and whether they get no SMS and why; never a phone number.
/// </summary>
public sealed class OfficerLookupTests : IAsyncLifetime
{
    EnrollmentApp app = null!;
    Dictionary<string, string> arms = null!;

    /// <summary>TREATED and CONTROL stand for a sector of each arm (the sectors are randomized before anyone enrols).</summary>
    const string RosterTemplate = """
        badge,name,role,sector,phone,consent
        B-001,Ana López,officer,TREATED,55 1234 5601,yes
        B-002,Juan Pérez,officer,TREATED,55 1234 5602,yes
        B-003,María García,commander,TREATED,55 1234 5603,no
        B-004,Luis Ánimas,officer,TREATED,55 1234 5604,yes
        B-005,Rosa Reyes,officer,TREATED,55 1234 5605,yes
        B-006,Pedro Sánchez,commander,CONTROL,55 1234 5606,yes
        B-007,Elena Cruz,officer,CONTROL,55 1234 5607,yes

        """;

    string roster = "";

    public async Task InitializeAsync()
    {
        app = await EnrollmentApp.StartWithSectorsAsync();
        arms = await app.RandomizeAllAsync();
        roster = RosterTemplate.Replace("TREATED", SectorOf(StudyArms.Treatment)).Replace("CONTROL", SectorOf(StudyArms.Control));
        await app.ImportAsync(roster);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    string SectorOf(string arm, int skip = 0) => arms.Where(a => a.Value == arm).OrderBy(a => a.Key).Skip(skip).First().Key;

    Task<HttpResponseMessage> LookupAsync(object body, string key = EnrollmentApp.TrainerKey) =>
        app.Client(key).PostAsJsonAsync("/api/enrollment/officers/lookup", body);

    async Task<OfficersApi.OfficerLookupResult> LookedUpAsync(IEnumerable<Guid> ids, string key = EnrollmentApp.TrainerKey)
    {
        var response = await LookupAsync(new { officerIds = ids }, key);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.DoesNotContain("phone", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("123456", body);
        return JsonSerializer.Deserialize<OfficersApi.OfficerLookupResult>(body, JsonSerializerOptions.Web)!;
    }

    static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    /// <summary>Moves one officer of the roster to another sector (a dated transfer).</summary>
    async Task TransferAsync(string badge, string toSector)
    {
        var row = roster.Split('\n').Single(l => l.StartsWith(badge + ",", StringComparison.Ordinal));
        var moved = string.Join(",", row.Split(',').Select((cell, i) => i == 3 ? toSector : cell));
        await app.ImportAsync(roster.Replace(row, moved), query: "transferDate=2025-03-01");
    }

    [Fact]
    public async Task A_trainer_gets_each_known_officers_name_badge_sector_arm_and_sms_flag_and_the_unknown_ids_apart()
    {
        var treated = SectorOf(StudyArms.Treatment);
        var officers = (await app.OfficersAsync()).ToDictionary(o => o.Badge);
        await app.ChangeStatusAsync(officers["B-002"].Id, OfficerStatuses.SmsOptedOut);
        await app.ChangeStatusAsync(officers["B-004"].Id, OfficerStatuses.WrongNumber);
        var unknown = Guid.NewGuid();
        var asked = new[] { officers["B-004"].Id, unknown, officers["B-001"].Id, officers["B-002"].Id, officers["B-003"].Id, officers["B-007"].Id, officers["B-001"].Id };

        var result = await LookedUpAsync(asked);

        Assert.Equal([unknown], result.UnknownIds);
        Assert.Equal(["B-004", "B-001", "B-002", "B-003", "B-007"], result.Officers.Select(o => o.Badge));
        var ana = result.Officers.Single(o => o.Badge == "B-001");
        var sectorName = (await app.SectorsAsync()).Single(s => s.Code == treated).Name;
        Assert.Equal((officers["B-001"].Id, "Ana López", "officer", treated, sectorName, "active", true, StudyArms.Treatment, false, (string?)null),
            (ana.Id, ana.Name, ana.Role, ana.SectorCode, ana.SectorName, ana.Status, ana.Consent, ana.RandomizedArm, ana.NoSms, ana.NoSmsReason));
        Assert.Equal([("B-004", true, "wrong_number"), ("B-002", true, "opted_out"), ("B-003", true, "no_consent"), ("B-007", true, "arm_mismatch")],
            result.Officers.Where(o => o.Badge != "B-001").Select(o => (o.Badge, o.NoSms, o.NoSmsReason)));
        Assert.Equal(StudyArms.Control, result.Officers.Single(o => o.Badge == "B-007").RandomizedArm);
    }

    [Fact]
    public async Task A_manager_may_look_up_too_and_an_empty_list_finds_nobody()
    {
        var ana = await app.OfficerAsync("B-001");

        Assert.Equal(["B-001"], (await LookedUpAsync([ana.Id], EnrollmentApp.ManagerKey)).Officers.Select(o => o.Badge));
        var empty = await LookedUpAsync([]);
        Assert.Empty(empty.Officers);
        Assert.Empty(empty.UnknownIds);
    }

    [Fact]
    public async Task An_officer_moved_out_of_their_arm_keeps_the_arm_of_randomization_and_gets_no_sms_when_treated()
    {
        var control = SectorOf(StudyArms.Control);
        await TransferAsync("B-001", control);
        var ana = await app.OfficerAsync("B-001");

        var card = Assert.Single((await LookedUpAsync([ana.Id])).Officers);

        // The default protocol stops a treatment officer's SMS once they move to a control sector.
        Assert.Equal((control, StudyArms.Treatment, true, "transferred_cross_arm"), (card.SectorCode, card.RandomizedArm, card.NoSms, card.NoSmsReason));
    }

    [Fact]
    public async Task Before_randomization_nobody_gets_sms_and_the_arm_is_empty()
    {
        await using var fresh = await EnrollmentApp.StartWithSectorsAsync();
        await fresh.ImportAsync(Rosters.Good);
        var ana = await fresh.OfficerAsync("B-001");

        var response = await fresh.Client(EnrollmentApp.TrainerKey).PostAsJsonAsync("/api/enrollment/officers/lookup", new { officerIds = new[] { ana.Id } });
        var card = (await response.Content.ReadFromJsonAsync<OfficersApi.OfficerLookupResult>())!.Officers.Single();

        Assert.Equal(((string?)null, true, "not_randomized"), (card.RandomizedArm, card.NoSms, card.NoSmsReason));
    }

    [Fact]
    public async Task A_researcher_is_refused_names_by_id_and_by_badge()
    {
        var ana = await app.OfficerAsync("B-001");

        Assert.Equal(HttpStatusCode.Forbidden, (await LookupAsync(new { officerIds = new[] { ana.Id } }, EnrollmentApp.ResearcherKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(EnrollmentApp.ResearcherKey).GetAsync("/api/enrollment/officers/by-badge/B-001")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client(null).GetAsync("/api/enrollment/officers/by-badge/B-001")).StatusCode);
    }

    [Fact]
    public async Task More_than_two_thousand_ids_or_none_at_all_is_400_naming_officerIds()
    {
        var tooMany = await ProblemAsync(await LookupAsync(new { officerIds = Enumerable.Range(0, OfficersApi.MaxLookup + 1).Select(_ => Guid.NewGuid()) }),
            HttpStatusCode.BadRequest);
        var missing = await ProblemAsync(await LookupAsync(new { }), HttpStatusCode.BadRequest);
        var notIds = await ProblemAsync(await LookupAsync(new { officerIds = new[] { "B-001" } }), HttpStatusCode.BadRequest);

        Assert.Equal("officerIds", tooMany.GetProperty("field").GetString());
        Assert.Contains("2000", tooMany.GetProperty("detail").GetString());
        Assert.Equal("officerIds", missing.GetProperty("field").GetString());
        Assert.True(notIds.TryGetProperty("detail", out _), notIds.ToString());
    }

    [Fact]
    public async Task Two_thousand_ids_are_answered_at_once()
    {
        var ana = await app.OfficerAsync("B-001");
        var ids = Enumerable.Range(0, OfficersApi.MaxLookup - 1).Select(_ => Guid.NewGuid()).Append(ana.Id).ToList();

        var result = await LookedUpAsync(ids);

        Assert.Equal(["B-001"], result.Officers.Select(o => o.Badge));
        Assert.Equal(OfficersApi.MaxLookup - 1, result.UnknownIds.Count);
    }

    [Fact]
    public async Task A_walk_in_is_found_by_badge_ignoring_case_and_spaces_with_the_arm_of_randomization()
    {
        var control = SectorOf(StudyArms.Control);
        var elena = await app.OfficerAsync("B-007");

        var response = await app.Client(EnrollmentApp.TrainerKey).GetAsync("/api/enrollment/officers/by-badge/%20b-007%20");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.DoesNotContain("phone", body, StringComparison.OrdinalIgnoreCase);
        var card = JsonSerializer.Deserialize<OfficersApi.OfficerCard>(body, JsonSerializerOptions.Web)!;
        Assert.Equal((elena.Id, "B-007", "Elena Cruz", control, StudyArms.Control, true, "arm_mismatch"),
            (card.Id, card.Badge, card.Name, card.SectorCode, card.RandomizedArm, card.NoSms, card.NoSmsReason));
        Assert.Equal(HttpStatusCode.OK, (await app.Client(EnrollmentApp.ManagerKey).GetAsync("/api/enrollment/officers/by-badge/B-007")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_badge_is_404_problem_details_naming_the_badge()
    {
        var problem = await ProblemAsync(await app.Client(EnrollmentApp.TrainerKey).GetAsync("/api/enrollment/officers/by-badge/Z-999"), HttpStatusCode.NotFound);

        Assert.Equal("badge", problem.GetProperty("field").GetString());
        Assert.Contains("Z-999", problem.GetProperty("detail").GetString());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;
using static Reminders.Scheduler.Tests.Infrastructure.TrainingScenario;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// The flat list of sessions behind the console's calendar and a trainer's "my sessions", and one session with its members:
/// a principal bound to a trainer (the trainer_id claim) sees only that trainer's sessions, whatever it asks for.
/// </summary>
public sealed class SessionsApiTests : IAsyncLifetime
{
    SchedulerHost host = null!;

    public Task InitializeAsync()
    {
        host = Sqlite();
        return Task.CompletedTask;
    }

    async Task<JsonElement> GetAsync(string path, string key = ManagerKey, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var client = host.Client(key);
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {text}");
        if (expected != HttpStatusCode.OK) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    static List<Guid> Ids(JsonElement sessions) => [.. sessions.EnumerateArray().Select(s => s.GetProperty("sessionId").GetGuid())];

    [Fact]
    public async Task The_manager_lists_every_session_with_sector_venue_trainer_utc_and_local_times_and_counts()
    {
        var (paz, ruiz) = await TwoTrainersAsync(host);

        var all = await GetAsync("/api/scheduler/sessions");

        Assert.Equal(6, all.GetArrayLength());
        var first = all.EnumerateArray().First(s => s.GetProperty("sessionId").GetGuid() == paz.SessionIds[0]);
        Assert.Equal(paz.CohortId, first.GetProperty("cohortId").GetGuid());
        Assert.Equal(("N-01", "Sector N-01", "officer", 1), (first.GetProperty("sectorCode").GetString(), first.GetProperty("sectorName").GetString(),
            first.GetProperty("role").GetString(), first.GetProperty("dayNumber").GetInt32()));
        Assert.Equal("2026-11-09", first.GetProperty("date").GetString());
        Assert.Equal("2026-11-09T15:00:00+00:00", first.GetProperty("startsAt").GetString());
        Assert.Equal("2026-11-09T18:00:00+00:00", first.GetProperty("endsAt").GetString());
        Assert.Equal("2026-11-09T09:00:00-06:00", first.GetProperty("localStartsAt").GetString());
        Assert.Equal("2026-11-09T12:00:00-06:00", first.GetProperty("localEndsAt").GetString());
        Assert.Equal("America/Mexico_City", first.GetProperty("timeZone").GetString());
        var venue = first.GetProperty("venue");
        Assert.Equal((paz.VenueId, Venue, "Av. Insurgentes Norte 100"),
            (venue.GetProperty("venueId").GetGuid(), venue.GetProperty("name").GetString(), venue.GetProperty("address").GetString()));
        var trainer = first.GetProperty("trainer");
        Assert.Equal((PazTrainerId, "Instructora Paz"), (trainer.GetProperty("trainerId").GetGuid(), trainer.GetProperty("name").GetString()));
        Assert.Equal(("scheduled", 2, 0), (first.GetProperty("status").GetString(), first.GetProperty("expectedOfficers").GetInt32(),
            first.GetProperty("confirmedByReplyingOk").GetInt32()));
        Assert.All(all.EnumerateArray().Where(s => ruiz.SessionIds.Contains(s.GetProperty("sessionId").GetGuid())),
            s => Assert.Equal(RuizTrainerId, s.GetProperty("trainer").GetProperty("trainerId").GetGuid()));
        // In time order.
        var starts = all.EnumerateArray().Select(s => s.GetProperty("startsAt").GetDateTimeOffset()).ToList();
        Assert.Equal(starts.Order(), starts);
    }

    [Fact]
    public async Task The_list_filters_by_trainer_venue_and_local_dates_and_refuses_bad_dates_naming_the_field()
    {
        var (paz, ruiz) = await TwoTrainersAsync(host);

        Assert.Equal(ruiz.SessionIds, Ids(await GetAsync($"/api/scheduler/sessions?trainerId={RuizTrainerId}")));
        Assert.Equal(6, (await GetAsync($"/api/scheduler/sessions?venueId={paz.VenueId}")).GetArrayLength());
        Assert.Empty(Ids(await GetAsync($"/api/scheduler/sessions?venueId={Guid.NewGuid()}")));
        Assert.Equal(paz.SessionIds.Skip(1), Ids(await GetAsync("/api/scheduler/sessions?from=2026-11-10&to=2026-11-11")));

        Assert.Equal("from", (await GetAsync("/api/scheduler/sessions?from=10/11/2026", expected: HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("to", (await GetAsync("/api/scheduler/sessions?from=2026-11-11&to=2026-11-10", expected: HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_key_bound_to_a_trainer_lists_only_that_trainers_sessions_whatever_the_filters_say()
    {
        var (paz, ruiz) = await TwoTrainersAsync(host);

        Assert.Equal(paz.SessionIds, Ids(await GetAsync("/api/scheduler/sessions", PazKey)));
        Assert.Equal(paz.SessionIds, Ids(await GetAsync($"/api/scheduler/sessions?trainerId={RuizTrainerId}", PazKey)));
        Assert.Equal(ruiz.SessionIds, Ids(await GetAsync($"/api/scheduler/sessions?venueId={paz.VenueId}", RuizKey)));
    }

    [Fact]
    public async Task A_trainer_key_linked_to_no_trainer_is_403_saying_the_account_is_not_linked()
    {
        var (paz, _) = await TwoTrainersAsync(host);

        foreach (var path in new[] { "/api/scheduler/sessions", $"/api/scheduler/sessions/{paz.SessionIds[0]}" })
        {
            var problem = await GetAsync(path, TrainerKey, HttpStatusCode.Forbidden);
            Assert.Equal("trainer_id", problem.GetProperty("field").GetString());
            Assert.Contains("not linked to a trainer", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task A_session_lists_its_members_with_who_gets_no_sms_and_who_confirmed()
    {
        var (paz, _) = await TwoTrainersAsync(host);
        var officers = paz.Sector.Officers;
        await host.ChangeStatusAsync(officers[1], OfficerStatuses.SmsOptedOut);
        Assert.True((await host.DispatchAsync()).Dispatched > 0);
        var invitation = (await host.PlannedSmsAsync(paz.CohortId)).First(r => r.Kind == PlannedSmsKinds.Invitation && r.OfficerId == officers[0]);
        await host.PublishAsync(new LogisticsSmsAcknowledged(invitation.SmsId, officers[0], "OK", host.Now));
        await EventuallyAsync("the OK is recorded", async () => await host.ScalarAsync<long>("SELECT COUNT(*) FROM cohort_confirmations") == 1);

        var detail = await GetAsync($"/api/scheduler/sessions/{paz.SessionIds[1]}", PazKey);

        Assert.Equal(paz.SessionIds[1], detail.GetProperty("sessionId").GetGuid());
        Assert.Equal((2, 2, 1), (detail.GetProperty("dayNumber").GetInt32(), detail.GetProperty("expectedOfficers").GetInt32(),
            detail.GetProperty("confirmedByReplyingOk").GetInt32()));
        var members = detail.GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("officerId").GetGuid());
        Assert.Equal(officers.Order(), members.Keys.Order());
        Assert.True(members[officers[0]].GetProperty("getsSms").GetBoolean());
        Assert.Equal(JsonValueKind.Null, members[officers[0]].GetProperty("noSmsReason").ValueKind);
        Assert.True(members[officers[0]].GetProperty("confirmedByReplyingOk").GetBoolean());
        Assert.False(members[officers[1]].GetProperty("getsSms").GetBoolean());
        Assert.Equal(SmsSkipReasons.OptedOut, members[officers[1]].GetProperty("noSmsReason").GetString());
        Assert.False(members[officers[1]].GetProperty("confirmedByReplyingOk").GetBoolean());
        // The list counts the same confirmations.
        Assert.All((await GetAsync($"/api/scheduler/sessions?trainerId={PazTrainerId}")).EnumerateArray(),
            s => Assert.Equal(1, s.GetProperty("confirmedByReplyingOk").GetInt32()));
    }

    [Fact]
    public async Task A_trainer_reading_another_trainers_session_is_403_and_an_unknown_session_is_404()
    {
        var (paz, ruiz) = await TwoTrainersAsync(host);

        var refused = await GetAsync($"/api/scheduler/sessions/{ruiz.SessionIds[0]}", PazKey, HttpStatusCode.Forbidden);
        Assert.Equal("sessionId", refused.GetProperty("field").GetString());
        Assert.Contains("another trainer", refused.GetProperty("detail").GetString());
        Assert.Equal(ruiz.SessionIds[0], (await GetAsync($"/api/scheduler/sessions/{ruiz.SessionIds[0]}", RuizKey)).GetProperty("sessionId").GetGuid());
        Assert.Equal(paz.SessionIds[0], (await GetAsync($"/api/scheduler/sessions/{paz.SessionIds[0]}")).GetProperty("sessionId").GetGuid());
        var unknown = await GetAsync($"/api/scheduler/sessions/{Guid.NewGuid()}", PazKey, HttpStatusCode.NotFound);
        Assert.Equal("sessionId", unknown.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_cancelled_session_says_cancelled_and_a_session_that_has_ended_says_held()
    {
        var (paz, ruiz) = await TwoTrainersAsync(host);
        await ChangeAsync(host, $"/api/scheduler/sessions/{ruiz.SessionIds[2]}/cancel", new { reason = "Sede cerrada ese día" });

        host.Clock.SetUtcNow(Local(2026, 11, 9, 12, 30));

        var statuses = (await GetAsync("/api/scheduler/sessions")).EnumerateArray()
            .ToDictionary(s => s.GetProperty("sessionId").GetGuid(), s => s.GetProperty("status").GetString());
        Assert.Equal("held", statuses[paz.SessionIds[0]]);
        Assert.Equal("scheduled", statuses[paz.SessionIds[1]]);
        Assert.Equal("cancelled", statuses[ruiz.SessionIds[2]]);
    }

    [Fact]
    public async Task The_session_routes_need_a_key_and_a_manager_or_trainer_role()
    {
        using var anonymous = host.Client(key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/scheduler/sessions")).StatusCode);
        await using var researcherHost = Sqlite(settings: new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:4:Name"] = "investigadora", ["Auth:ApiKeys:4:Key"] = "researcher-key-for-sessions", ["Auth:ApiKeys:4:Roles:0"] = "researcher",
        });
        using var researcher = researcherHost.Client("researcher-key-for-sessions");
        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.GetAsync("/api/scheduler/sessions")).StatusCode);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}

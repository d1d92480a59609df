using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Local;
using Reminders.Platform.Auth;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The training invitation asks the officer to confirm with OK. An OK from their phone (through the simulator) to the
/// latest invitation accepted inside the acknowledgment window marks them confirmed in their cohort, once; the cohort
/// shows how many confirmed by replying OK and who did.
/// </summary>
public sealed class InvitationConfirmationTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    const string InvitationPrefix = "Curso de Justicia Procedimental: inicia";
    static readonly SemaphoreSlim PlanGate = new(1, 1);
    static JsonElement? planned;
    WebApplication App => seeded.Host.App;

    HttpClient Manager() => PlannedSessions.As(seeded.Host, Roles.Manager);

    /// <summary>The first cohort once every member's invitation reached the provider (planned once for the class).</summary>
    async Task<(Guid CohortId, Guid[] Members)> InvitedCohortAsync()
    {
        await PlanGate.WaitAsync();
        try
        {
            if (planned is null)
            {
                using var manager = Manager();
                await manager.PostAsJsonAsync("/api/scheduler/venues", new { name = "Academia Norte", capacity = 30 });
                await manager.PostAsJsonAsync("/api/scheduler/trainers", new { name = "Mtro. Ruiz" });
                // Two weeks ahead of the study's today, whatever day the suite runs.
                var from = DateOnly.FromDateTime(seeded.Host.Now().UtcDateTime).AddDays(14);
                var plan = await manager.PostAsJsonAsync("/api/scheduler/plans", new { from = from.ToString("yyyy-MM-dd"), to = from.AddDays(24).ToString("yyyy-MM-dd") });
                Assert.Equal(HttpStatusCode.Created, plan.StatusCode);
                planned = (await manager.GetFromJsonAsync<JsonElement>("/api/scheduler/cohorts")).EnumerateArray().OrderBy(c => c.GetProperty("firstDate").GetString()).First();
            }
        }
        finally
        {
            PlanGate.Release();
        }
        var cohortId = planned.Value.GetProperty("cohortId").GetGuid();
        var members = (await DetailAsync(cohortId)).GetProperty("members").EnumerateArray().Select(m => m.GetGuid()).ToArray();
        foreach (var member in members)
        {
            var phone = await PhoneAsync(member);
            await SmsSteps.WaitForAsync(() => Task.FromResult(App.Services.GetRequiredService<SimulatorLog>().Snapshot(phone).Count(m => m.Body.StartsWith(InvitationPrefix, StringComparison.Ordinal))),
                n => n == 1, $"officer {member}'s invitation never reached the provider");
        }
        // Messaging records the provider's acceptance a moment after the provider has it.
        await SmsSteps.WaitForAsync(() => App.QueryAsync<long>("messaging",
            "SELECT COUNT(*) FROM outbound_sms WHERE purpose = 'logistics' AND accepted_at IS NOT NULL AND officer_id IN @ids", new { ids = members.Select(m => m.ToString()).ToArray() }),
            n => n[0] == members.Length, "Messaging never recorded the invitations as accepted");
        return (cohortId, members);
    }

    async Task<JsonElement> DetailAsync(Guid cohortId)
    {
        using var manager = Manager();
        return await manager.GetFromJsonAsync<JsonElement>($"/api/scheduler/cohorts/{cohortId}");
    }

    async Task<string> PhoneAsync(Guid officerId) =>
        (await App.QueryAsync<string>("messaging", "SELECT phone_e164 FROM contacts WHERE officer_id = @id", new { id = officerId.ToString() })).Single();

    async Task<string> TextAsync(string phone, string body)
    {
        using var http = App.SimulatorHttp();
        using var response = await http.PostAsJsonAsync("/simulator/replies", new { from = phone, body });
        var delivery = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK && delivery.GetProperty("receiverStatus").GetInt32() == 200, delivery.ToString());
        return delivery.GetProperty("messageSid").GetString()!;
    }

    static Dictionary<Guid, bool> Confirmed(JsonElement detail) =>
        detail.GetProperty("confirmations").EnumerateArray().ToDictionary(c => c.GetProperty("officerId").GetGuid(), c => c.GetProperty("confirmed").GetBoolean());

    static long ConfirmedCount(JsonElement detail) => detail.GetProperty("cohort").GetProperty("confirmedByReplyingOk").GetInt64();

    [Fact]
    public async Task An_OK_to_the_invitation_confirms_the_officer_in_their_cohort_once_and_the_cohort_counts_it()
    {
        var (cohortId, members) = await InvitedCohortAsync();
        var officer = members[0];
        var before = ConfirmedCount(await DetailAsync(cohortId));

        var sid = await TextAsync(await PhoneAsync(officer), " ok ");

        var invitation = (await App.QueryAsync<string>("messaging",
            "SELECT sms_id FROM outbound_sms WHERE officer_id = @id AND purpose = 'logistics'", new { id = officer.ToString() })).Single();
        Assert.Equal(("acknowledge", invitation), ((await App.InboundAsync(sid))!.Category, (await App.InboundAsync(sid))!.AcknowledgedSmsId));
        var detail = await SmsSteps.WaitForAsync(() => DetailAsync(cohortId), d => Confirmed(d)[officer], "the cohort never showed the officer as confirmed");
        Assert.Equal(before + 1, ConfirmedCount(detail));
        Assert.Equal(members.OrderBy(m => m), Confirmed(detail).Keys.OrderBy(k => k));
        Assert.Equal(ConfirmedCount(detail), Confirmed(detail).Count(c => c.Value));

        // A second OK is stored, not counted again.
        await TextAsync(await PhoneAsync(officer), "Sí");
        await Task.Delay(500);
        Assert.Equal(before + 1, ConfirmedCount(await DetailAsync(cohortId)));
    }

    [Fact]
    public async Task Free_text_or_an_OK_after_the_window_confirms_nothing()
    {
        var (cohortId, members) = await InvitedCohortAsync();
        Assert.True(members.Length >= 2);
        // Not the officer the other test confirms.
        var officer = members[^1];

        var free = await TextAsync(await PhoneAsync(officer), "Ahí estaré, gracias");
        // Days cannot pass in a test: the invitation is dated back in Messaging's own record instead.
        await App.ExecuteAsync("messaging", "UPDATE outbound_sms SET accepted_at = @at WHERE officer_id = @id AND purpose = 'logistics'",
            new { at = Reminders.Platform.Data.DapperTypeHandlers.ToSqliteText(App.StudyNow().AddDays(-8)), id = officer.ToString() });
        var outside = await TextAsync(await PhoneAsync(officer), "OK");
        await Task.Delay(800);

        Assert.Equal("other", (await App.InboundAsync(free))!.Category);
        Assert.Equal(("acknowledge", (string?)null), ((await App.InboundAsync(outside))!.Category, (await App.InboundAsync(outside))!.AcknowledgedSmsId));
        Assert.False(Confirmed(await DetailAsync(cohortId))[officer]);
    }
}

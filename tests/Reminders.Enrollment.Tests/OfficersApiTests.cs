using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Enrollment.Officers;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>Officers for managers: list, search, one officer's record, and study status changes by a manager or a keyword reply.</summary>
public sealed class OfficersApiTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    const string Roster = """
        badge,name,role,sector,phone,consent,turno
        B-001,Ana López,officer,S01,55 1234 5601,yes,Nocturno
        B-002,Juan Pérez,officer,S01,55 1234 5602,yes,
        B-003,María García,commander,S02,55 1234 5603,no,
        B-004,Luis Ánimas,officer,S02,55 1234 5604,yes,
        B-005,Rosa Lopezreyes,officer,S03,55 1234 5605,yes,
        B-006,Pedro Sánchez,commander,S03,55 1234 5606,yes,

        """;

    public async Task InitializeAsync()
    {
        app = await EnrollmentApp.StartWithSectorsAsync();
        await app.ImportAsync(Roster);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    async Task<(List<OfficersApi.OfficerSummary> Officers, long Total)> ListAsync(string query)
    {
        var response = await app.Client().GetAsync($"/api/enrollment/officers?{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return ((await response.Content.ReadFromJsonAsync<List<OfficersApi.OfficerSummary>>())!, long.Parse(response.Headers.GetValues("X-Total-Count").Single()));
    }

    async Task<string> BadgesAsync(string query)
    {
        var (officers, total) = await ListAsync(query);
        return $"{total}: {string.Join(" ", officers.Select(o => o.Badge))}";
    }

    async Task DeliverAsync<T>(T message) where T : class
    {
        var messageId = Guid.NewGuid();
        await app.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId);
        await RandomizationTestData.UntilCountAsync(app, $"SELECT COUNT(*) FROM inbox_messages WHERE message_id = '{messageId}'", 1, $"{typeof(T).Name} is handled");
    }

    static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task The_list_filters_by_search_sector_status_and_role_and_pages_with_a_total()
    {
        var ana = await app.OfficerAsync("B-001");
        Assert.Equal(HttpStatusCode.OK, (await app.ChangeStatusAsync(ana.Id, "withdrawn")).StatusCode);

        Assert.Equal("6: B-001 B-002 B-003 B-004 B-005 B-006", await BadgesAsync(""));
        Assert.Equal("2: B-001 B-005", await BadgesAsync("search=LÓPEZ"));
        Assert.Equal("1: B-005", await BadgesAsync("search=lopezR"));
        Assert.Equal("1: B-003", await BadgesAsync("search=MARÍA"));
        Assert.Equal("1: B-004", await BadgesAsync("search=b-004"));
        Assert.Equal("2: B-003 B-004", await BadgesAsync("sector=S02"));
        Assert.Equal("1: B-001", await BadgesAsync("status=withdrawn"));
        Assert.Equal("5: B-002 B-003 B-004 B-005 B-006", await BadgesAsync("status=active"));
        Assert.Equal("2: B-003 B-006", await BadgesAsync("role=commander"));
        Assert.Equal("1: B-006", await BadgesAsync("role=commander&sector=S03&status=active&search=pedro"));
        Assert.Equal("0: ", await BadgesAsync("sector=S04"));
        Assert.Equal("6: B-003 B-004", await BadgesAsync("page=2&pageSize=2"));
        Assert.Equal("6: ", await BadgesAsync("page=4&pageSize=2"));
        Assert.Equal("5: B-004 B-005", await BadgesAsync("status=active&page=2&pageSize=2&search=b-00"));
    }

    [Fact]
    public async Task The_list_filters_by_consent_beside_search_sector_status_and_role()
    {
        Assert.Equal("1: B-003", await BadgesAsync("consent=no"));
        Assert.Equal("5: B-001 B-002 B-004 B-005 B-006", await BadgesAsync("consent=yes"));
        Assert.Equal("1: B-006", await BadgesAsync("consent=yes&role=commander"));
        Assert.Equal("0: ", await BadgesAsync("consent=no&sector=S01"));
        Assert.Equal("1: B-003", await BadgesAsync("consent=no&search=garcia&status=active&role=commander&sector=S02"));
        Assert.Equal("5: B-004 B-005", await BadgesAsync("consent=yes&page=2&pageSize=2"));
    }

    [Fact]
    public async Task Search_ignores_accents_and_case_and_takes_wildcards_literally()
    {
        var unaccented = await BadgesAsync("search=lopez");
        Assert.Equal(await BadgesAsync("search=LÓPEZ"), await BadgesAsync("search=l%C3%B3pez"));
        Assert.Contains("B-001", unaccented);
        Assert.Equal("0: ", await BadgesAsync("search=%25"));
        Assert.Equal("0: ", await BadgesAsync("search=50%25"));
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=5001", "pageSize")]
    [InlineData("status=retired", "status")]
    [InlineData("consent=maybe", "consent")]
    public async Task Bad_list_parameters_are_400_naming_the_field(string query, string field)
    {
        var problem = await ProblemAsync(await app.Client().GetAsync($"/api/enrollment/officers?{query}"), HttpStatusCode.BadRequest);

        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task One_officer_has_their_attributes_status_history_and_transfers()
    {
        var ana = await app.OfficerAsync("B-001");
        await app.ChangeStatusAsync(ana.Id, "wrong_number", "número equivocado");
        await app.ImportAsync(Roster.Replace("B-001,Ana López,officer,S01", "B-001,Ana López,officer,S04"), query: "transferDate=2025-03-01");

        var detail = await app.OfficerDetailAsync(ana.Id);

        Assert.Equal((ana.Id, "B-001", "Ana López", "S04", "+52******5601", "wrong_number"),
            (detail.Officer.Id, detail.Officer.Badge, detail.Officer.Name, detail.Officer.SectorCode, detail.Officer.PhoneMasked, detail.Officer.Status));
        Assert.Equal(new Dictionary<string, string> { ["turno"] = "Nocturno" }, detail.Attributes);
        var history = Assert.Single(detail.StatusHistory);
        Assert.Equal(("wrong_number", "active", "manager", "ana-manager", "número equivocado"), (history.Status, history.PreviousStatus, history.Source, history.ChangedBy, history.Reason));
        Assert.True(DateTimeOffset.UtcNow - history.ChangedAt < TimeSpan.FromMinutes(1));
        var transfer = Assert.Single(detail.Transfers);
        Assert.Equal(("S01", "S04", "2025-03-01"), (transfer.FromSector, transfer.ToSector, transfer.TransferredOn));
        // Dated by the roster, recorded now: the support timeline puts it after the status change made before it.
        Assert.InRange(transfer.RecordedAt!.Value, history.ChangedAt, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task An_unknown_officer_is_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client().GetAsync($"/api/enrollment/officers/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.ChangeStatusAsync(Guid.NewGuid(), "withdrawn")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client().GetAsync("/api/enrollment/officers/not-a-guid")).StatusCode);
    }

    [Fact]
    public async Task A_manager_changes_a_status_with_its_history_and_the_change_is_published()
    {
        var juan = await app.OfficerAsync("B-002");

        var response = await app.ChangeStatusAsync(juan.Id, "sms_opted_out", "pidió por teléfono no recibir mensajes");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = (await response.Content.ReadFromJsonAsync<OfficersApi.OfficerSummary>())!;
        Assert.Equal((juan.Id, "sms_opted_out", "+52******5602"), (summary.Id, summary.Status, summary.PhoneMasked));
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerStatusChanged>().Count == 1, "OfficerStatusChanged is published");
        var published = app.Bus.Published<OfficerStatusChanged>().Single();
        Assert.Equal((juan.Id, "sms_opted_out", "active", "manager"), (published.OfficerId, published.Status, published.PreviousStatus, published.Source));

        // A manager may undo an opt-out.
        Assert.Equal(HttpStatusCode.OK, (await app.ChangeStatusAsync(juan.Id, "active")).StatusCode);
        Assert.Equal([("sms_opted_out", "active", "pidió por teléfono no recibir mensajes"), ("active", "sms_opted_out", "")],
            (await app.OfficerDetailAsync(juan.Id)).StatusHistory.Select(h => (h.Status, h.PreviousStatus, h.Reason ?? "")));
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerStatusChanged>().Count == 2, "the second OfficerStatusChanged is published");
        Assert.True(app.Bus.Published<OfficerStatusChanged>()[0].ChangedAt <= app.Bus.Published<OfficerStatusChanged>()[1].ChangedAt);
    }

    [Fact]
    public async Task Setting_the_status_an_officer_already_has_writes_and_publishes_nothing()
    {
        var juan = await app.OfficerAsync("B-002");

        Assert.Equal(HttpStatusCode.OK, (await app.ChangeStatusAsync(juan.Id, "active")).StatusCode);

        Assert.Empty((await app.OfficerDetailAsync(juan.Id)).StatusHistory);
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM outbox_messages WHERE message_type LIKE '%OfficerStatusChanged%'"));
        Assert.Empty(app.Bus.Published<OfficerStatusChanged>());
    }

    [Theory]
    [InlineData("retired", null, "status")]
    [InlineData(null, null, "status")]
    [InlineData("ACTIVE", null, "status")]
    [InlineData("withdrawn", "x", "reason")]
    public async Task An_invalid_status_change_is_400_problem_details_naming_the_field(string? status, string? reasonSeed, string field)
    {
        var juan = await app.OfficerAsync("B-002");
        var reason = reasonSeed is null ? null : new string('x', 501);

        var problem = await ProblemAsync(await app.ChangeStatusAsync(juan.Id, status, reason), HttpStatusCode.BadRequest);

        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal("active", (await app.OfficerAsync("B-002")).Status);
    }

    [Theory]
    [InlineData("active", "sms_opted_out")]
    [InlineData("wrong_number", "sms_opted_out")]
    [InlineData("withdrawn", "withdrawn")]
    [InlineData("inactive", "inactive")]
    public async Task An_opt_out_keyword_opts_out_an_active_officer_or_one_with_a_wrong_number(string before, string after)
    {
        var juan = await app.OfficerAsync("B-002");
        if (before != "active") await app.ChangeStatusAsync(juan.Id, before);

        await DeliverAsync(new SmsOptOutRequested(juan.Id, "BAJA", DateTimeOffset.UtcNow));

        Assert.Equal(after, (await app.OfficerAsync("B-002")).Status);
        var last = (await app.OfficerDetailAsync(juan.Id)).StatusHistory.Last();
        if (after == "sms_opted_out")
            Assert.Equal(("sms_opted_out", before, "keyword", "sms", "replied BAJA"), (last.Status, last.PreviousStatus, last.Source, last.ChangedBy, last.Reason));
        else
            Assert.Equal("manager", last.Source);
    }

    [Theory]
    [InlineData("sms_opted_out", "active")]
    [InlineData("withdrawn", "withdrawn")]
    [InlineData("wrong_number", "wrong_number")]
    [InlineData("inactive", "inactive")]
    public async Task The_opt_in_keyword_undoes_only_an_opt_out(string before, string after)
    {
        var juan = await app.OfficerAsync("B-002");
        await app.ChangeStatusAsync(juan.Id, before);

        await DeliverAsync(new SmsOptInRequested(juan.Id, "ALTA", DateTimeOffset.UtcNow));

        Assert.Equal(after, (await app.OfficerAsync("B-002")).Status);
        var history = (await app.OfficerDetailAsync(juan.Id)).StatusHistory;
        Assert.Equal(after == before ? 1 : 2, history.Count);
        if (after != before)
            Assert.Equal(("active", "sms_opted_out", "keyword", "replied ALTA"), (history[1].Status, history[1].PreviousStatus, history[1].Source, history[1].Reason));
    }

    [Fact]
    public async Task An_opt_out_by_keyword_is_published_and_a_redelivery_changes_nothing_more()
    {
        var juan = await app.OfficerAsync("B-002");
        var messageId = Guid.NewGuid();
        var bus = app.Services.GetRequiredService<IBus>();
        var optOut = new SmsOptOutRequested(juan.Id, "STOP", DateTimeOffset.UtcNow);

        await bus.Publish(optOut, c => c.MessageId = messageId);
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerStatusChanged>().Count == 1, "OfficerStatusChanged is published");
        await app.ChangeStatusAsync(juan.Id, "active");
        await bus.Publish(optOut, c => c.MessageId = messageId);
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerStatusChanged>().Count == 2, "the manager's change is published");
        await Task.Delay(300);

        Assert.Equal("active", (await app.OfficerAsync("B-002")).Status);
        Assert.Equal([("sms_opted_out", "keyword"), ("active", "manager")], app.Bus.Published<OfficerStatusChanged>().Select(s => (s.Status, s.Source)));
    }

    [Fact]
    public async Task ALTA_after_a_STOP_that_blocked_at_the_provider_leaves_the_officer_opted_out_and_START_makes_them_active()
    {
        var juan = await app.OfficerAsync("B-002");
        var at = DateTimeOffset.UtcNow;

        await DeliverAsync(new SmsOptOutRequested(juan.Id, "STOP", at, BlockedAtProvider: true));
        await DeliverAsync(new SmsOptInRequested(juan.Id, "ALTA", at.AddSeconds(1)));

        Assert.Equal("sms_opted_out", (await app.OfficerAsync("B-002")).Status);
        Assert.Equal("replied STOP (blocked at the provider until START)", (await app.OfficerDetailAsync(juan.Id)).StatusHistory.Last().Reason);

        await DeliverAsync(new SmsOptInRequested(juan.Id, "START", at.AddSeconds(2), UnblockedAtProvider: true));

        Assert.Equal("active", (await app.OfficerAsync("B-002")).Status);
        Assert.Equal(0, await app.CountAsync($"SELECT COUNT(*) FROM officers WHERE id = '{juan.Id}' AND sms_blocked_at_provider"));
    }

    [Fact]
    public async Task A_21610_blocks_at_the_provider_so_ALTA_alone_does_not_make_the_officer_active()
    {
        var juan = await app.OfficerAsync("B-002");
        var at = DateTimeOffset.UtcNow;

        await DeliverAsync(new SmsNumberRejected(juan.Id, Guid.NewGuid(), 21610, at));
        await DeliverAsync(new SmsOptInRequested(juan.Id, "ALTA", at.AddSeconds(1)));

        Assert.Equal("sms_opted_out", (await app.OfficerAsync("B-002")).Status);
        await DeliverAsync(new SmsOptInRequested(juan.Id, "YES", at.AddSeconds(2), UnblockedAtProvider: true));
        Assert.Equal("active", (await app.OfficerAsync("B-002")).Status);
    }

    [Fact]
    public async Task A_21610_from_before_a_START_that_arrives_after_it_does_not_block_again()
    {
        var juan = await app.OfficerAsync("B-002");
        var at = DateTimeOffset.UtcNow;
        await DeliverAsync(new SmsOptOutRequested(juan.Id, "BAJA", at));
        await DeliverAsync(new SmsOptInRequested(juan.Id, "START", at.AddSeconds(2), UnblockedAtProvider: true));

        // The provider refused a send before the START reached it; the rejection's event arrives last.
        await DeliverAsync(new SmsNumberRejected(juan.Id, Guid.NewGuid(), 21610, at.AddSeconds(1)));
        Assert.Equal(0, await app.CountAsync($"SELECT COUNT(*) FROM officers WHERE id = '{juan.Id}' AND sms_blocked_at_provider"));
        Assert.Equal("active", (await app.OfficerAsync("B-002")).Status);

        await DeliverAsync(new SmsOptOutRequested(juan.Id, "BAJA", at.AddSeconds(3)));
        await DeliverAsync(new SmsOptInRequested(juan.Id, "ALTA", at.AddSeconds(4)));
        Assert.Equal("active", (await app.OfficerAsync("B-002")).Status);
    }

    [Fact]
    public async Task A_keyword_for_an_unknown_officer_changes_nothing()
    {
        await DeliverAsync(new SmsOptOutRequested(Guid.NewGuid(), "BAJA", DateTimeOffset.UtcNow));

        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM officer_status_history"));
        Assert.All(await app.OfficersAsync(), o => Assert.Equal("active", o.Status));
    }

    [Fact]
    public async Task Phones_are_masked_in_every_officer_response()
    {
        var ana = await app.OfficerAsync("B-001");
        var texts = new[]
        {
            await app.Client().GetStringAsync("/api/enrollment/officers"),
            await app.Client().GetStringAsync("/api/enrollment/officers?search=ana"),
            await app.Client().GetStringAsync($"/api/enrollment/officers/{ana.Id}"),
            await (await app.ChangeStatusAsync(ana.Id, "withdrawn")).Content.ReadAsStringAsync(),
        };

        foreach (var text in texts)
        {
            Assert.Contains("+52******56", text);
            // The roster's numbers are 55 1234 5601..06: none of their hidden digits shows.
            Assert.DoesNotContain("1234560", text);
        }
    }

    [Fact]
    public async Task Officers_are_for_managers_only()
    {
        var id = (await app.OfficerAsync("B-001")).Id;
        string[] reads = ["/api/enrollment/officers", $"/api/enrollment/officers/{id}"];
        foreach (var path in reads)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client(null).GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client("wrong-key").GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(EnrollmentApp.TrainerKey).GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(EnrollmentApp.ResearcherKey).GetAsync(path)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ChangeStatusAsync(id, "withdrawn", key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.ChangeStatusAsync(id, "withdrawn", key: EnrollmentApp.TrainerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.ChangeStatusAsync(id, "withdrawn", key: EnrollmentApp.ResearcherKey)).StatusCode);
        Assert.Equal("active", (await app.OfficerAsync("B-001")).Status);
    }
}

using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Messaging.Delivery;
using Reminders.Platform.Data;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Send claims that arrive together are made in one transaction (SendClaims), and each decides as if it had been alone:
/// one claim per SMS however often it is delivered, a control officer refused, an officer Messaging does not know yet
/// left for the bus to retry with no row behind, and none returns before its group committed.
/// </summary>
public sealed class SendClaimGroupTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Claims_arriving_together_are_made_in_one_group_each_as_if_alone()
    {
        var (treatment, control, unknown) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await KnowAsync(treatment, StudyArms.Treatment, "+525500007001");
        await KnowAsync(control, StudyArms.Control, "+525500007002");
        var now = host.Now();
        // Answers to the officer's own message: sent whatever the hour, so the host's clock plays no part.
        var toTreatment = Enumerable.Range(0, 5).Select(i => Sms(treatment, now, i)).ToList();
        var toControl = Sms(control, now, 9);
        var toUnknown = Sms(unknown, now, 10);
        var claims = host.App.Services.GetRequiredService<SendClaims>();
        using var groups = new HostHistogramListener(host.App.Services.GetRequiredService<IMeterFactory>(), "reminders.messaging.send_claim.batch");

        // Messaging's database is held by a writer, so the claims queue up and make groups when it lets go.
        var blocker = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "messaging.db")}");
        await blocker.OpenAsync();
        var hold = (SqliteTransaction)await blocker.BeginTransactionAsync();
        var attempts = toTreatment.Append(toTreatment[0]).Append(toControl).Append(toUnknown)
            .Select(sms => (sms, claim: Attempt(() => claims.ClaimAsync(sms, now, CancellationToken.None)))).ToList();
        await Task.Delay(500);
        Assert.All(attempts, a => Assert.False(a.claim.IsCompleted, "a claim returned before it could be committed"));
        await hold.RollbackAsync();
        await blocker.DisposeAsync();
        var results = new List<(SendSms Sms, SendClaim? Claim, Exception? Error)>();
        foreach (var (sms, claim) in attempts) { var (c, e) = await claim; results.Add((sms, c, e)); }

        Assert.True(groups.Largest > 1, $"the claims were made one by one (largest group {groups.Largest})");
        // The first SMS was delivered twice: one delivery has the claim, the other waits for the bus like any attempt behind a lease.
        var first = results.Where(r => r.Sms.SmsId == toTreatment[0].SmsId).ToList();
        Assert.Single(first, r => r.Claim is not null);
        Assert.IsType<SmsNotSentException>(Assert.Single(first, r => r.Claim is null).Error);
        foreach (var sms in toTreatment.Skip(1))
            Assert.Equal("+525500007001", results.Single(r => r.Sms.SmsId == sms.SmsId).Claim?.Phone);
        var states = await host.QueryAsync<(string, string, long)>("messaging", "SELECT sms_id, state, attempts FROM outbound_sms WHERE officer_id = @id",
            new { id = treatment.ToString() });
        Assert.Equal(toTreatment.Select(s => (s.SmsId.ToString(), "sending", 1L)).Order(), states.Order());

        var refused = results.Single(r => r.Sms == toControl);
        Assert.Equal((null, null), (refused.Claim, refused.Error));
        Assert.Equal([("refused", "arm_mismatch")], await host.QueryAsync<(string, string)>("messaging",
            "SELECT state, refusal_reason FROM outbound_sms WHERE sms_id = @id", new { id = toControl.SmsId.ToString() }));
        // Not known yet: the bus tries again, and nothing is left that says Messaging has it (as a claim's rollback left nothing).
        Assert.IsType<SmsNotSentException>(results.Single(r => r.Sms == toUnknown).Error);
        Assert.Empty(await host.QueryAsync<string>("messaging", "SELECT state FROM outbound_sms WHERE sms_id = @id", new { id = toUnknown.SmsId.ToString() }));
    }

    static SendSms Sms(Guid officerId, DateTimeOffset at, int n) =>
        new(Guid.NewGuid(), officerId, SmsPurposes.Reply, $"Respuesta {n}: escriba AYUDA para más información.", at);

    static async Task<(SendClaim? Claim, Exception? Error)> Attempt(Func<Task<SendClaim?>> claim)
    {
        try { return (await claim(), null); }
        catch (SmsNotSentException ex) { return (null, ex); }
    }

    /// <summary>What Enrollment's events would have told Messaging: the officer's phone, arm of randomization and consent.</summary>
    async Task KnowAsync(Guid officerId, string arm, string phone)
    {
        var (id, at) = (officerId.ToString(), DapperTypeHandlers.ToSqliteText(host.Now()));
        await host.QueryAsync<long>("messaging", "INSERT INTO contacts (officer_id, phone_e164, updated_at) VALUES (@id, @phone, @at) RETURNING 1", new { id, phone, at });
        await host.QueryAsync<long>("messaging", """
            INSERT INTO officer_arms (officer_id, arm, sector_id, enrolled_after_randomization, assigned_at) VALUES (@id, @arm, @sector, 0, @at) RETURNING 1
            """, new { id, arm, sector = Guid.NewGuid().ToString(), at });
        await host.QueryAsync<long>("messaging", "INSERT INTO officer_consents (officer_id, consent, changed_at) VALUES (@id, 1, @at) RETURNING 1", new { id, at });
    }
}

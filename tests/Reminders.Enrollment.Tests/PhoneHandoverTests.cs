using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>
/// An inactive officer's phone may be given to a new officer: the roster import allows it and keeps the old record with the
/// number it had. Among the officers still on the roster a phone stays one person's, and the inactive officer cannot be made
/// active again while someone else holds their phone.
/// </summary>
public sealed class PhoneHandoverTests
{
    const string JuansPhone = "55 2345 6789";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_full_roster_hands_a_leaving_officers_phone_to_a_new_one_and_keeps_the_old_record(bool postgres)
    {
        await using var app = await EnrollmentApp.StartWithSectorsAsync(postgres);
        await app.ImportAsync(Rosters.Good);
        var juan = await app.OfficerAsync("B-002");
        // Juan left; Pedro joins with the phone the unit gave Juan.
        var handedOver = Rosters.Csv("B-001,Ana López,officer,S01,55 1234 5678,yes", "B-003,María García,commander,S02,55 3456 7890,no",
            $"B-004,Pedro Ruiz,officer,S01,{JuansPhone},yes");

        var withoutConfirmation = await app.ImportAsync(handedOver, mode: "dry-run", query: "fullRoster=true");
        var report = await app.ImportAsync(handedOver, query: "fullRoster=true&confirmInactive=true");

        // Unconfirmed, Juan stays active and still holds the phone.
        Assert.Equal(("phone", "This phone belongs to officer B-002."), Assert.Single(withoutConfirmation.Rejected) is var e ? (e.Column, e.Reason) : default);
        Assert.Equal((1, 1), (report.Imported, report.Inactivated));
        Assert.Empty(report.Rejected);
        var officers = (await app.OfficersAsync()).ToDictionary(o => o.Badge);
        Assert.Equal("inactive", officers["B-002"].Status);
        Assert.Equal("active", officers["B-004"].Status);
        // Juan's record keeps the number he had.
        Assert.Equal(2, await app.CountAsync("SELECT COUNT(*) FROM officers WHERE phone_e164 = '+525523456789'"));

        // Among officers on the roster the phone is Pedro's alone.
        var another = await app.ImportAsync(Rosters.Csv($"B-005,Luis Mora,officer,S02,{JuansPhone},yes"), mode: "apply-valid");
        Assert.Equal(("phone", "This phone belongs to officer B-004."), Assert.Single(another.Rejected) is var r ? (r.Column, r.Reason) : default);

        // Juan made active again by hand would share Pedro's phone: refused, naming who holds it.
        using var refused = await app.ChangeStatusAsync(juan.Id, "active", "volvió al sector");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("status", problem.GetProperty("field").GetString());
        Assert.Contains("B-004", problem.GetProperty("detail").GetString());
        Assert.Equal("inactive", (await app.OfficerAsync("B-002")).Status);

        // Back on the roster with a phone of his own, Juan is active again.
        var back = await app.ImportAsync(Rosters.Csv($"B-002,Juan Pérez,officer,S01,55 9876 5432,yes"));
        Assert.Equal((1, 0), (back.Reactivated, back.Rejected.Count));
        Assert.Equal("active", (await app.OfficerAsync("B-002")).Status);
    }
}

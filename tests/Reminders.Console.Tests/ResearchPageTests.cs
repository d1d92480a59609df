using Microsoft.Playwright;
using Reminders.Local.Sample;

namespace Reminders.Console.Tests;

public sealed class ResearchPageTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task A_researcher_lands_on_the_dose_by_arm_and_role_and_downloads_a_pseudonymous_dosage_csv()
    {
        await fixture.Client.LoadSectorsAsync(SampleFiles.Sectors);
        await fixture.Client.ImportRosterAsync(SampleFiles.Roster);
        await fixture.Client.RandomizeAsync(20261128);
        // The ledger learns officers and arms from events: wait until it holds the whole roster in both arms.
        var expected = await fixture.Client.JsonAsync("attendance", "/api/attendance/dosage/summaries/arms.json");
        for (var waited = 0; waited < 300 && !(expected.EnumerateArray().Sum(g => g.GetProperty("officers").GetInt32()) == 2240
            && expected.EnumerateArray().All(g => g.GetProperty("arm").ValueKind == System.Text.Json.JsonValueKind.String)); waited++)
        {
            await Task.Delay(100);
            expected = await fixture.Client.JsonAsync("attendance", "/api/attendance/dosage/summaries/arms.json");
        }

        await using var page = await fixture.SignInAsync("rosa");
        Assert.EndsWith("/research", page.Page.Url);
        var table = page.Page.GetByRole(AriaRole.Table);
        await Assertions.Expect(table.GetByRole(AriaRole.Columnheader, new() { Name = "Recordatorios entregados (promedio)" })).ToBeVisibleAsync();
        var rows = table.Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(expected.GetArrayLength());
        var firstControl = expected.EnumerateArray().First(g => g.GetProperty("arm").GetString() == "control");
        await Assertions.Expect(rows.Filter(new() { HasText = "control" }).First).ToContainTextAsync(firstControl.GetProperty("officers").GetInt32().ToString("N0", new System.Globalization.CultureInfo("es-MX")));
        Assert.DoesNotContain("SSC-", await page.Page.ContentAsync());
        await page.CheckAsync("research");

        var download = await page.Page.RunAndWaitForDownloadAsync(() => page.Page.GetByRole(AriaRole.Link, new() { Name = "dosage-live.csv" }).ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2240 + 1, lines.Length);
        Assert.DoesNotContain("SSC-", csv);
        Assert.DoesNotContain("+52", csv);
    }

    [Fact]
    public async Task A_trainer_is_refused_the_research_page_and_its_exports()
    {
        await using var page = await fixture.SignInAsync("laura");
        await page.Page.GotoAsync("/research");
        Assert.Contains("/access-denied", page.Page.Url);
        var export = await page.Page.APIRequest.GetAsync("/research/exports/dosage.csv", new() { MaxRedirects = 0 });
        Assert.NotEqual(200, export.Status);
    }
}

using System.Net;
using System.Text.RegularExpressions;
using Reminders.Enrollment.Roster;
using Reminders.Enrollment.Sectors;
using Reminders.Enrollment.Tests.Infrastructure;
using Reminders.Testing;

namespace Reminders.Enrollment.Tests;

/// <summary>The sectors and roster examples in README.md ("CSV formats") load as written, so the documentation cannot drift from the importer.</summary>
public sealed class ReadmeCsvExampleTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    static async Task<string> ExampleAsync(string heading)
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"));
        var match = Regex.Match(readme, $@"### {Regex.Escape(heading)}\n.*?```csv\n(?<csv>.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, $"README.md has no ```csv block under '### {heading}'");
        return match.Groups["csv"].Value;
    }

    [Fact]
    public async Task The_readme_sectors_and_roster_examples_load_without_a_rejected_row()
    {
        var sectors = await app.LoadSectorsAsync(await ExampleAsync("Sectors CSV"));
        Assert.Equal((2, 0), (sectors.Created, sectors.Rejected.Count));
        Assert.Equal("America/Tijuana", (await app.SectorsAsync()).Single(s => s.Code == "MIL-02").TimeZone);

        var roster = await app.ImportAsync(await ExampleAsync("Roster CSV"));
        Assert.Equal((2, 0), (roster.Imported, roster.Rejected.Count));
        Assert.Equal("matutino", (await app.OfficerDetailAsync((await app.OfficerAsync("B-001")).Id)).Attributes["turno"]);
    }
}

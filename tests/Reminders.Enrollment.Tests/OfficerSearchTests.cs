using System.Net;
using System.Net.Http.Json;
using Reminders.Enrollment.Officers;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>
/// The officers search through its trigram index (migration 0016: pg_trgm on PostgreSQL, FTS5 on SQLite) finds the same
/// officers on both engines: fragments typed without accents, badges, fragments too short for trigrams, quotes and
/// wildcards taken literally, every filter beside it, and a renamed officer under the new name only.
/// </summary>
public sealed class OfficerSearchTests
{
    const string Roster = """
        badge,name,role,sector,phone,consent
        B-101,José Núñez Pérez,officer,S01,55 1234 6101,yes
        B-102,Itzel Núñez López,officer,S01,55 1234 6102,no
        B-103,María López García,commander,S02,55 1234 6103,yes
        B-104,Óscar Lopezreyes Díaz,officer,S02,55 1234 6104,yes
        B-105,Ana Núñez,officer,S03,55 1234 6105,yes
        B-150,Juan Pérez Ruiz,commander,S03,55 1234 6150,yes
        B-1500,Rosa Méndez,officer,S04,55 1234 6500,yes

        """;

    static async Task<string> BadgesAsync(EnrollmentApp app, string query)
    {
        var response = await app.Client().GetAsync($"/api/enrollment/officers?{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var officers = (await response.Content.ReadFromJsonAsync<List<OfficersApi.OfficerSummary>>())!;
        return $"{response.Headers.GetValues("X-Total-Count").Single()}: {string.Join(" ", officers.Select(o => o.Badge))}";
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Search_by_accentless_fragment_badge_and_filters_finds_the_same_officers_on_both_engines(bool postgres)
    {
        await using var app = await EnrollmentApp.StartWithSectorsAsync(postgres);
        await app.ImportAsync(Roster);
        Assert.Equal(HttpStatusCode.OK, (await app.ChangeStatusAsync((await app.OfficerAsync("B-105")).Id, "withdrawn")).StatusCode);

        var expected = new (string Query, string Badges)[]
        {
            ("search=nunez", "3: B-101 B-102 B-105"),
            ("search=N%C3%9A%C3%91EZ", "3: B-101 B-102 B-105"),
            ("search=itzel%20nunez", "1: B-102"),
            ("search=oscar", "1: B-104"),
            ("search=lopez", "3: B-102 B-103 B-104"),
            ("search=b-150", "2: B-150 B-1500"),
            ("search=B-1500", "1: B-1500"),
            ("search=b15", "2: B-150 B-1500"),
            // Two characters hold no trigram: looked for row by row, with the same result.
            ("search=ia", "2: B-103 B-104"),
            ("search=%25", "0: "),
            ("search=lo%22pez", "0: "),
            ("search=zzz", "0: "),
            ("search=lopez&consent=no", "1: B-102"),
            ("search=lopez&role=commander", "1: B-103"),
            ("search=nunez&status=withdrawn", "1: B-105"),
            ("search=lopez&sector=S02", "2: B-103 B-104"),
            ("search=nunez&sector=S01&status=active&role=officer&consent=yes", "1: B-101"),
            ("search=nunez&page=2&pageSize=2", "3: B-105"),
        };
        foreach (var (query, badges) in expected) Assert.Equal((query, badges), (query, await BadgesAsync(app, query)));

        // A re-import that renames an officer moves them in the index: found by the new name, no longer by the old one.
        await app.ImportAsync(Rosters.Csv("B-104,Óscar Reyes Díaz,officer,S02,55 1234 6104,yes"));

        Assert.Equal("2: B-102 B-103", await BadgesAsync(app, "search=lopez"));
        Assert.Equal("1: B-104", await BadgesAsync(app, "search=reyesdiaz"));
    }

    static readonly string[] FirstNames = ["José", "María", "Itzel", "Óscar", "Ana", "Raúl", "Verónica", "Héctor", "Mónica", "Iván"];
    static readonly string[] Surnames = ["Núñez", "López", "Pérez", "Méndez", "García", "Díaz", "Ramírez", "Juárez", "Gómez", "Álvarez", "Chávez"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fragment_more_officers_share_than_the_index_fetches_finds_what_a_substring_search_finds_on_both_engines(bool postgres)
    {
        // 1,500 officers: "nunez" is in more than OfficerSearch.FetchedThroughIndex of them, "d01" in a hundred badges.
        var officers = Enumerable.Range(0, 1500).Select(i => (Badge: $"D-{i:D4}",
            Name: $"{FirstNames[i % FirstNames.Length]} {Surnames[i / 7 % Surnames.Length]} {(i % 5 == 0 ? "Ruiz" : "Núñez")}",
            Sector: $"S0{i % 4 + 1}", Consent: i % 9 == 0 ? "no" : "yes")).ToList();
        await using var app = await EnrollmentApp.StartWithSectorsAsync(postgres);
        await app.ImportAsync(Rosters.Csv([.. officers.Select(o => $"{o.Badge},{o.Name},officer,{o.Sector},55 1{o.Badge[2..]} 777,{o.Consent}")]));

        var queries = new (string Query, string Fragment, string? Sector, string? Consent, int Page)[]
        {
            ("search=nunez", "nunez", null, null, 1), ("search=N%C3%BA%C3%B1ez&page=3", "nunez", null, null, 3),
            ("search=nunez&sector=S02", "nunez", "S02", null, 1), ("search=nunez&consent=no&page=2", "nunez", null, "no", 2),
            ("search=jose", "jose", null, null, 1), ("search=d-01&page=2", "d01", null, null, 2), ("search=d-012&sector=S03", "d012", "S03", null, 1),
        };
        Assert.True(officers.Count(o => OfficerSearch.Text(o.Badge, o.Name).Contains("nunez")) > OfficerSearch.FetchedThroughIndex);
        foreach (var (query, fragment, sector, consent, page) in queries)
        {
            var found = officers.Where(o => OfficerSearch.Text(o.Badge, o.Name).Contains(fragment, StringComparison.Ordinal)
                && (sector is null || o.Sector == sector) && (consent is null || o.Consent == consent)).Select(o => o.Badge).Order(StringComparer.Ordinal).ToList();
            var expected = $"{found.Count}: {string.Join(" ", found.Skip((page - 1) * 25).Take(25))}";
            Assert.Equal((query, expected), (query, await BadgesAsync(app, query + "&pageSize=25")));
        }
    }
}

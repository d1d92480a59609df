using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Reminders.Local.Sample;

namespace Reminders.Console.Tests;

/// <summary>
/// Randomizing the sample study through the page, as a manager would: register the seed's hash in advance, pick the
/// strata, try the seed (the balance table), confirm (what will happen, that it cannot be edited), commit; then the
/// record, read-only, for a researcher too. What the services recorded is checked through the API.
/// </summary>
public sealed class RandomizationPageTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    const long Seed = 8_675_309_2024;

    static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task A_manager_registers_the_seed_hash_dry_runs_confirms_and_commits_and_the_record_holds_the_seed_typed()
    {
        await fixture.Client.LoadSectorsAsync(SampleFiles.Sectors);
        await fixture.Client.ImportRosterAsync(SampleFiles.Roster);
        await using var page = await fixture.SignInAsync("ana");
        var p = page.Page;
        await p.GotoAsync("/randomization");
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Aleatorización");
        await page.CheckAsync("randomization");

        await p.GetByLabel("Hash SHA-256 de la semilla").FillAsync(Sha256(Seed.ToString()).ToUpperInvariant());
        await p.GetByRole(AriaRole.Button, new() { Name = "Registrar el hash" }).ClickAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Status)).ToHaveTextAsync("Hash registrado. El sorteo solo se aceptará con la semilla que le corresponde.");
        var commitment = Assert.Single((await fixture.Manager.GetFromJsonAsync<JsonElement>("/api/enrollment/randomizations/seed-commitments")).EnumerateArray());
        Assert.Equal((Sha256(Seed.ToString()), "ana", "pending"),
            (commitment.GetProperty("seedSha256").GetString(), commitment.GetProperty("registeredBy").GetString(), commitment.GetProperty("status").GetString()));

        // A seed other than the registered one: Enrollment refuses the commit, and the page says so in Spanish with what to do
        // next, the service's English words kept under "Detalle técnico".
        await p.GetByLabel("Semilla (número entero)").FillAsync((Seed + 1).ToString());
        await p.GetByRole(AriaRole.Button, new() { Name = "Probar (no asigna nada)" }).ClickAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Aleatorizar con esta semilla…" }).ClickAsync();
        await p.GetByRole(AriaRole.Region, new() { Name = "Confirme la aleatorización" }).GetByRole(AriaRole.Button, new() { Name = "Sí, aleatorizar ahora" }).ClickAsync();
        var refusal = p.GetByRole(AriaRole.Alert);
        await Assertions.Expect(refusal).ToContainTextAsync("Esa semilla no corresponde al hash registrado. Escriba exactamente la semilla cuyo hash registró.");
        await Assertions.Expect(refusal.GetByText("Detalle técnico")).ToBeVisibleAsync();
        await Assertions.Expect(refusal.Locator("p[lang=en]")).ToBeHiddenAsync();
        await page.CheckAsync("randomization-wrong-seed");
        Assert.Equal(404, (int)(await fixture.Manager.GetAsync("/api/enrollment/randomizations/current")).StatusCode);
        await p.GetByRole(AriaRole.Region, new() { Name = "Confirme la aleatorización" }).GetByRole(AriaRole.Link, new() { Name = "Cancelar" }).ClickAsync();

        await p.GetByRole(AriaRole.Checkbox, new() { Name = "Alcaldía" }).CheckAsync();
        await p.GetByRole(AriaRole.Checkbox, new() { Name = "Tamaño" }).CheckAsync();
        await p.GetByLabel("Semilla (número entero)").FillAsync(Seed.ToString());
        await p.GetByRole(AriaRole.Button, new() { Name = "Probar (no asigna nada)" }).ClickAsync();
        var dryRun = p.GetByRole(AriaRole.Region, new() { Name = "Resultado de la prueba" });
        await Assertions.Expect(dryRun).ToContainTextAsync("60 sectores, 30 a tratamiento y 30 a control");
        await Assertions.Expect(dryRun.GetByRole(AriaRole.Table)).ToContainTextAsync("Todos los estratos");
        // Stratum columns with their accents, and the strata in Spanish order: "Álvaro Obregón" among the A's, not after Xochimilco.
        await Assertions.Expect(dryRun.GetByRole(AriaRole.Columnheader, new() { Name = "Estrato (Alcaldía · Tamaño)" })).ToBeVisibleAsync();
        await Assertions.Expect(dryRun.GetByRole(AriaRole.Rowheader).First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Álvaro Obregón · "));
        await page.CheckAsync("randomization-dry-run");
        Assert.Equal(404, (int)(await fixture.Manager.GetAsync("/api/enrollment/randomizations/current")).StatusCode);

        await p.GetByRole(AriaRole.Button, new() { Name = "Aleatorizar con esta semilla…" }).ClickAsync();
        var confirm = p.GetByRole(AriaRole.Region, new() { Name = "Confirme la aleatorización" });
        await Assertions.Expect(confirm).ToContainTextAsync($"con la semilla {Seed} y estratos Alcaldía, Tamaño");
        await Assertions.Expect(confirm).ToContainTextAsync("La asignación no se puede editar.");
        await Assertions.Expect(confirm).ToContainTextAsync("Solo se puede anular antes de que se envíe cualquier SMS o se programe cualquier capacitación");
        await page.CheckAsync("randomization-confirm");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Sí, aleatorizar ahora" }).ClickAsync();

        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Registro de la aleatorización" })).ToBeVisibleAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Status)).ToHaveTextAsync("Aleatorización registrada. Este es su registro.");
        await page.CheckAsync("randomization-record");

        var current = await fixture.Manager.GetFromJsonAsync<JsonElement>("/api/enrollment/randomizations/current");
        Assert.Equal(Seed, current.GetProperty("seed").GetInt64());
        Assert.Equal(["alcaldia", "tamano"], current.GetProperty("strata").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("ana", current.GetProperty("requestedBy").GetString());
        Assert.True(current.GetProperty("preRegistered").GetBoolean());
        var dryRuns = current.GetProperty("dryRuns").EnumerateArray().ToList();
        Assert.Contains(dryRuns, d => d.GetProperty("seed").GetInt64() == Seed && d.GetProperty("requestedBy").GetString() == "ana"
            && d.GetProperty("allocationHash").GetString() == current.GetProperty("allocationHash").GetString());
        await Assertions.Expect(p.GetByRole(AriaRole.Region, new() { Name = "Registro de la aleatorización" }))
            .ToContainTextAsync(current.GetProperty("allocationHash").GetString()!);

        // A researcher reads the same record and can download the allocation, with nothing to change.
        await using var signedIn = await fixture.SignInAsync("rosa");
        // A fresh tab of the signed-in browser: only this page's own requests are checked.
        await using var researcher = new ConsolePage(await signedIn.Page.Context.NewPageAsync());
        await researcher.Page.GotoAsync("/randomization");
        await Assertions.Expect(researcher.Page.GetByRole(AriaRole.Heading, new() { Name = "Registro de la aleatorización" })).ToBeVisibleAsync();
        Assert.Equal(0, await researcher.Page.GetByRole(AriaRole.Button).Filter(new() { HasTextRegex = new("aleatorizar|Probar|hash", System.Text.RegularExpressions.RegexOptions.IgnoreCase) }).CountAsync());
        await Assertions.Expect(researcher.Page.GetByRole(AriaRole.Region, new() { Name = "Cómo repetir la asignación" })).ToContainTextAsync("def allocate(sectors, seed, share=0.5):");
        await researcher.CheckAsync("randomization-researcher");
        var csv = await researcher.Page.Context.APIRequest.GetAsync($"/randomization/{current.GetProperty("id").GetGuid()}/allocation.csv");
        Assert.Equal(200, csv.Status);
        Assert.StartsWith("sector_code,stratum,arm", (await csv.TextAsync()).TrimStart('\uFEFF'));
    }
}

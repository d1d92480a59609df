using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Reminders.Web.Users;

namespace Reminders.Console.Tests;

public sealed class SignInTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task A_signed_out_visitor_is_sent_to_sign_in_and_comes_back_to_the_page_asked_for()
    {
        await using var page = await fixture.OpenAsync();
        await page.Page.GotoAsync("/officers");
        Assert.Contains("/sign-in?ReturnUrl=%2Fofficers", page.Page.Url, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("es-MX", await page.Page.Locator("html").GetAttributeAsync("lang"));
        await page.CheckAsync("sign-in");

        await page.Page.GetByLabel("Usuario").FillAsync("ana");
        await page.Page.GetByLabel("Contraseña").FillAsync(ConsoleFixture.Password);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();
        await page.Page.WaitForURLAsync("**/officers");
    }

    [Fact]
    public async Task A_wrong_password_is_told_in_spanish_and_five_in_a_row_lock_the_account_even_for_the_right_one()
    {
        var users = fixture.Console.Services.GetRequiredService<UserStore>();
        await users.AddAsync("beto", Reminders.Platform.Auth.Roles.Manager, ConsoleFixture.Password, null, null, "tests");
        await using var page = await fixture.OpenAsync();
        for (var attempt = 1; attempt <= UserStore.MaxFailedSignIns; attempt++)
        {
            await page.Page.GotoAsync("/sign-in");
            await page.Page.GetByLabel("Usuario").FillAsync("beto");
            await page.Page.GetByLabel("Contraseña").FillAsync("no-es-la-contrasena");
            await page.Page.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();
            var alert = page.Page.GetByRole(AriaRole.Alert);
            await Assertions.Expect(alert).ToContainTextAsync(attempt < UserStore.MaxFailedSignIns ? "Usuario o contraseña incorrectos" : "bloqueada");
        }
        await page.Page.GetByLabel("Usuario").FillAsync("beto");
        await page.Page.GetByLabel("Contraseña").FillAsync(ConsoleFixture.Password);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("bloqueada");
        await page.CheckAsync("sign-in-locked");
        Assert.NotNull((await users.FindAsync("beto"))!.LockedUntil);
    }

    [Fact]
    public async Task A_researcher_is_refused_the_managers_pages_with_a_page_in_spanish()
    {
        await using var page = await fixture.SignInAsync("rosa");
        var response = await page.Page.GotoAsync("/officers");
        Assert.Contains("/access-denied", page.Page.Url);
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sin acceso a esta página");
        await page.CheckAsync("access-denied-researcher");
        Assert.NotEqual((int)HttpStatusCode.InternalServerError, response!.Status);
    }

    [Fact]
    public async Task The_language_switch_turns_the_console_to_english_and_back()
    {
        await using var page = await fixture.OpenAsync();
        await page.Page.GotoAsync("/sign-in");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "English" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in");
        Assert.Equal("en", await page.Page.Locator("html").GetAttributeAsync("lang"));
        await page.CheckAsync("sign-in-english");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Español" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Iniciar sesión");
    }

    [Fact]
    public async Task The_session_cookie_is_http_only_so_no_script_can_read_it_and_no_token_or_key_reaches_the_page()
    {
        await using var page = await fixture.SignInAsync("ana");
        var cookies = await page.Page.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "reminders.session");
        Assert.True(session.HttpOnly);
        Assert.Equal("", await page.Page.EvaluateAsync<string>("document.cookie.split('; ').filter(c => c.startsWith('reminders.session')).join('')"));
        var html = await page.Page.ContentAsync();
        Assert.DoesNotContain(fixture.Services.Configuration["Auth:Jwt:SigningKey"]!, html);
        Assert.DoesNotContain("eyJ", html);
    }
}

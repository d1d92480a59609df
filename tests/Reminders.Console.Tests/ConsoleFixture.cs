using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Reminders.Local;
using Reminders.Local.Demo;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.Web.Users;

namespace Reminders.Console.Tests;

/// <summary>
/// The real local host (four services, simulator, SQLite, in-memory bus) and its console, each on a free port, one user per
/// role, and Debian's Chromium driven by Playwright (never a downloaded browser). One per test class.
/// </summary>
public partial class ConsoleFixture : IAsyncLifetime
{
    public const string Password = "contrasena-de-prueba-1";
    public WebApplication Services { get; private set; } = null!;
    public WebApplication Console { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Manager { get; private set; } = null!;
    /// <summary>The services' API with the manager's and researcher's keys, to set a study up (sample files: <c>SampleFiles</c>) and to check what was recorded.</summary>
    public ReminderClient Client { get; private set; } = null!;
    public Guid TrainerId { get; private set; }
    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "reminders-console-" + Guid.NewGuid().ToString("N"));
    public string ConsoleUrl => Console.Configuration["Urls"]!;
    IPlaywright? playwright;

    public async Task InitializeAsync()
    {
        var settings = StudyClockOptions.InsideSendingHours(ProtocolLoader.LoadDefault(), DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Database:SqliteFolder"] = DataFolder;
        settings["Logging:LogLevel:Default"] = "Warning";
        Configure(settings);
        Services = LocalHost.Build([], settings);
        Console = LocalHost.BuildConsole(Services, [], new Dictionary<string, string?>
        {
            ["Console:Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await Services.StartAsync();
        await Console.StartAsync();

        Manager = new HttpClient { BaseAddress = new Uri(Services.Url()) };
        Manager.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, Services.ApiKey(Roles.Manager));
        Client = new ReminderClient(ServiceUrls.Single(Services.Url()), Services.ApiKey(Roles.Manager), Services.ApiKey(Roles.Researcher), Services.SimulatorKey());
        var trainer = await Manager.PostAsJsonAsync("/api/scheduler/trainers", new { name = "Laura Méndez" });
        trainer.EnsureSuccessStatusCode();
        TrainerId = (await trainer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("trainerId").GetGuid();

        var users = Console.Services.GetRequiredService<UserStore>();
        await users.AddAsync("ana", Roles.Manager, Password, "Ana López", null, "tests");
        await users.AddAsync("laura", Roles.Trainer, Password, "Laura Méndez", TrainerId, "tests");
        await users.AddAsync("rosa", Roles.Researcher, Password, "Rosa Díaz", null, "tests");

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true });
    }

    /// <summary>Settings a test class's own fixture adds to the local host's (before it is built).</summary>
    protected virtual void Configure(IDictionary<string, string?> settings) { }

    /// <summary>A fresh browser context as a person in Mexico City (es-MX, the city's zone); desktop unless a phone is asked for.</summary>
    public async Task<ConsolePage> OpenAsync(bool phone = false)
    {
        var context = await Browser.NewContextAsync(new()
        {
            Locale = "es-MX",
            TimezoneId = "America/Mexico_City",
            BaseURL = ConsoleUrl,
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1366, Height = 900 },
            IsMobile = phone,
            HasTouch = phone,
        });
        return new ConsolePage(await context.NewPageAsync());
    }

    /// <summary>Signed in through the sign-in form, as a person would.</summary>
    public async Task<ConsolePage> SignInAsync(string name, bool phone = false)
    {
        var page = await OpenAsync(phone);
        await page.Page.GotoAsync("/sign-in");
        await page.Page.GetByLabel("Usuario").FillAsync(name);
        await page.Page.GetByLabel("Contraseña").FillAsync(Password);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();
        await page.Page.WaitForURLAsync(url => !url.Contains("/sign-in"));
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        Manager?.Dispose();
        Client?.Dispose();
        await Console.StopAsync();
        await Services.StopAsync();
        await Console.DisposeAsync();
        await Services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { }
    }
}

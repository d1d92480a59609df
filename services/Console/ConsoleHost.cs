using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Radzen;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Platform.Logging;
using Reminders.Web.Components;
using Reminders.Web.Components.Pages.Research;
using Reminders.Web.Components.Pages.Roster;
using Reminders.Web.Components.Pages.Trainer;
using Reminders.Web.Services;
using Reminders.Web.Users;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;

namespace Reminders.Web;

/// <summary>
/// The console: a Blazor web app (static server rendering, interactive server where a page needs it) for managers,
/// trainers and researchers. It owns only its users; everything else it reads and changes through the services' APIs.
/// </summary>
public static class ConsoleHost
{
    public const string Name = "console";
    public const string DefaultUrl = "http://127.0.0.1:5081";
    public static readonly CultureInfo Spanish = CultureInfo.GetCultureInfo("es-MX");
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    /// <param name="studyClock">The services' clock when they run in this process (a study clock in the demo and tests), so
    /// "today" on a page is the study's today. Sign-in lockouts and the person's tokens always use real time.</param>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? overrides = null, TimeProvider? studyClock = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // Hosted inside the local one-process host too: the static assets and resources are this assembly's.
            ApplicationName = typeof(ConsoleHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        builder.WebHost.UseStaticWebAssets();
        if (studyClock is not null) builder.Services.AddSingleton(studyClock);
        builder.AddConsoleServices();
        var app = builder.Build();
        app.MapConsole();
        return app;
    }

    public static WebApplicationBuilder AddConsoleServices(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.FormatterName = MaskingConsoleFormatter.Name)
            .AddConsoleFormatter<MaskingConsoleFormatter, ConsoleFormatterOptions>();
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<ConsoleOptions>(configuration.GetSection(ConsoleOptions.Section));
        services.Configure<PersonTokenOptions>(configuration.GetSection(PersonTokenOptions.Section));
        var options = configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>() ?? new ConsoleOptions();

        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddKeyedSingleton(Name, (_, _) => new ServiceDatabase(Name, database));
        services.AddSingleton(sp => new UserStore(sp.GetRequiredKeyedService<ServiceDatabase>(Name), TimeProvider.System));
        services.AddHostedService(sp => new MigrationHostedService(new Migrator(
            sp.GetRequiredKeyedService<ServiceDatabase>(Name), [typeof(ConsoleHost).Assembly], sp.GetRequiredService<ILogger<Migrator>>())));

        services.AddHealthChecks().Add(new HealthCheckRegistration("database-console",
            sp => new DatabaseHealthCheck(sp.GetRequiredKeyedService<ServiceDatabase>(Name)), HealthStatus.Unhealthy, ["ready"]));
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddRadzenComponents();
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(Spanish);
            o.SupportedCultures = o.SupportedUICultures = [Spanish, English];
            // Spanish unless the person chose English with the switch (kept in a cookie); the browser's language is not asked.
            o.RequestCultureProviders = [new CookieRequestCultureProvider()];
        });

        services.AddHttpContextAccessor();
        services.AddCascadingAuthenticationState();
        services.AddScoped<PersonTokenSource>();
        services.AddMemoryCache();
        services.AddSingleton<SectorCodes>();
        services.AddHttpClient<EnrollmentClient>(c => c.BaseAddress = new Uri(options.Services.Enrollment));
        services.AddHttpClient<SchedulerClient>(c => c.BaseAddress = new Uri(options.Services.Scheduler));
        services.AddHttpClient<MessagingClient>(c => c.BaseAddress = new Uri(options.Services.Messaging));
        services.AddHttpClient<AttendanceClient>(c => c.BaseAddress = new Uri(options.Services.Attendance));

        var authentication = services.AddAuthentication(o =>
        {
            o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            if (options.Oidc.Enabled) o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
        }).AddCookie(o =>
        {
            o.Cookie.Name = "reminders.session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.LoginPath = "/sign-in";
            o.LogoutPath = "/sign-out";
            o.AccessDeniedPath = "/access-denied";
            o.ExpireTimeSpan = TimeSpan.FromHours(10);
            o.SlidingExpiration = true;
        });
        if (options.Oidc.Enabled)
        {
            authentication.AddOpenIdConnect(o =>
            {
                o.Authority = options.Oidc.Authority;
                o.ClientId = options.Oidc.ClientId;
                o.ClientSecret = options.Oidc.ClientSecret;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.RequireHttpsMetadata = options.Oidc.Authority!.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
                o.TokenValidationParameters.NameClaimType = ClaimTypes.Name;
                o.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
                o.Events.OnTokenValidated = context =>
                {
                    context.Principal = OidcPerson(context.Principal!, options.Oidc);
                    return Task.CompletedTask;
                };
            });
        }
        services.AddAuthorization();
        return builder;
    }

    /// <summary>The provider's person as the console's own: the same name, role and trainer-id claims a local sign-in gives.</summary>
    public static ClaimsPrincipal OidcPerson(ClaimsPrincipal provider, OidcOptions oidc)
    {
        var claims = new List<Claim>();
        if (provider.FindFirst(oidc.NameClaim)?.Value is { } name) claims.Add(new Claim(ClaimTypes.Name, name));
        claims.AddRange(provider.FindAll(oidc.RoleClaim).Where(c => Roles.All.Contains(c.Value)).Select(c => new Claim(ClaimTypes.Role, c.Value)));
        if (provider.FindFirst(oidc.TrainerIdClaim)?.Value is { } trainer) claims.Add(new Claim(ReminderClaims.TrainerId, trainer));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, OpenIdConnectDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseRequestLocalization();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapAccountEndpoints();
        app.MapRandomizationEndpoints();
        app.MapResearchEndpoints();
        app.MapTrainerEndpoints();
        app.MapRosterEndpoints();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>Posts that change the session or the language: plain forms with antiforgery, then a redirect to a local page.</summary>
    static void MapAccountEndpoints(this WebApplication app)
    {
        app.MapPost("/sign-out", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect("/sign-in");
        });
        app.MapGet("/sign-in/oidc", (string? returnUrl) => TypedResults.Challenge(
            new AuthenticationProperties { RedirectUri = IsLocal(returnUrl) ? returnUrl : "/" }, [OpenIdConnectDefaults.AuthenticationScheme]))
            .AllowAnonymous();
        app.MapPost("/culture", ([Microsoft.AspNetCore.Mvc.FromForm] string culture, [Microsoft.AspNetCore.Mvc.FromForm] string? returnUrl, HttpContext context) =>
        {
            var chosen = culture == English.Name ? English : Spanish;
            context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            return TypedResults.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
        }).AllowAnonymous();
    }

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//") && !url.StartsWith("/\\");
}

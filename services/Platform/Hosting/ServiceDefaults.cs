using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Logging;
using Reminders.Platform.Outbox;

namespace Reminders.Platform.Hosting;

public static class ServiceDefaults
{
    /// <summary>What every host has: masked logs, ProblemDetails, OpenAPI, API-key or person-token auth with roles, health checks, metrics.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.FormatterName = MaskingConsoleFormatter.Name)
            .AddConsoleFormatter<MaskingConsoleFormatter, ConsoleFormatterOptions>();

        var services = builder.Services;
        services.TryAddTimeProvider(builder.Configuration);
        // A body cut off at the limit while being bound (chunked JSON) gets a bare 413 from the framework: name the problem.
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            NotFoundProblems.Describe(c);
            if (c.ProblemDetails.Status != StatusCodes.Status413PayloadTooLarge) return;
            c.ProblemDetails.Extensions.TryAdd("field", "body");
            c.ProblemDetails.Detail ??= c.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit
                ? $"The body is larger than the {limit} bytes accepted here."
                : "The body is too large.";
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Always throw on unreadable input (not only in Development), so BadRequestExceptionHandler names the problem.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi(o => o.AddReminderConventions());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower)));
        services.Configure<ApiKeyOptions>(builder.Configuration.GetSection(ApiKeyOptions.Section));
        services.Configure<RequestBodyLimits>(builder.Configuration.GetSection(RequestBodyLimits.Section));
        services.AddApiKeyOrPersonToken(builder.Configuration);
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        var authorization = services.AddAuthorizationBuilder();
        foreach (var role in Roles.All)
            authorization.AddPolicy(role, p => p.RequireRole(role));
        services.AddHealthChecks();
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Environment.ApplicationName))
            .WithMetrics(m => m
            .AddMeter("MassTransit")
            .AddMeter("Microsoft.AspNetCore.Hosting")
            // The driver's own: database round trips (db.client.operation.duration) and the connection pool.
            .AddMeter("Npgsql")
            .AddMeter(DatabaseGaugeSampler.MeterName)
            .AddPrometheusExporter());
        services.Configure<MetricsOptions>(builder.Configuration.GetSection(MetricsOptions.Section));
        // A port of its own for the scraper: the host listens there too, and /metrics answers only there (without a key).
        if (builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>()?.Port is { } metricsPort)
        {
            var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured ? configured : "http://localhost:5000";
            builder.WebHost.UseUrls([.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries), $"http://*:{metricsPort}"]);
        }
        return builder;
    }

    static void TryAddTimeProvider(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(TimeProvider))) return;
        var clock = configuration.GetSection(StudyClockOptions.Section).Get<StudyClockOptions>();
        services.AddSingleton(clock?.StudyStart is { } studyStart
            ? new StudyClock(studyStart, clock.RealStart ?? DateTimeOffset.UtcNow, clock.Speed)
            : TimeProvider.System);
    }

    /// <summary>
    /// The service's own database (SQLite file or PostgreSQL schema named <paramref name="service"/>), migrated at
    /// start-up before the bus starts, with its outbox relay and a readiness check. The service's classes take its typed
    /// handle <typeparamref name="TDatabase"/>; Platform's generic pieces get the same instance keyed by <paramref name="service"/>.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TDatabase>(this IHostApplicationBuilder builder, string service, Assembly migrations,
        Func<DatabaseOptions, TDatabase> create) where TDatabase : ServiceDatabase
    {
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var services = builder.Services;
        services.AddSingleton(_ => create(options) is var database && database.Service == service ? database
            : throw new InvalidOperationException($"{typeof(TDatabase).Name} is the database of {database.Service}, not of {service}."));
        // One instance however it is asked for: a second would be a second connection pool, and a commit through it would not
        // wake the relay waiting on the first one's OutboxSignal.
        services.AddKeyedSingleton<ServiceDatabase>(service, (sp, _) => sp.GetRequiredService<TDatabase>());
        services.AddSingleton<IHostedService>(sp => new MigrationHostedService(new Migrator(
            sp.GetRequiredKeyedService<ServiceDatabase>(service),
            [typeof(Migrator).Assembly, migrations],
            sp.GetRequiredService<ILogger<Migrator>>())));
        services.AddSingleton<IHostedService>(sp => new OutboxRelay(
            sp.GetRequiredKeyedService<ServiceDatabase>(service), sp.GetRequiredService<IBus>(), sp.GetRequiredService<ILogger<OutboxRelay>>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetServices<OutboxEnvelope>().SingleOrDefault(e => e.Service == service)));
        DatabaseGaugeSampler.AddOutboxGauges(services, service);
        services.AddHealthChecks().Add(new HealthCheckRegistration($"database-{service}",
            sp => new DatabaseHealthCheck(sp.GetRequiredKeyedService<ServiceDatabase>(service)), HealthStatus.Unhealthy, ["ready"]));
        return builder;
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.Use(LimitRequestBody);
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteHealthReport,
        });
        app.MapOpenApi();
        // Metrics say how much is sent and to whom it failed: never anonymous on the API port.
        var scrape = app.MapPrometheusScrapingEndpoint();
        if (app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Port is { } metricsPort)
            scrape.RequireHost($"*:{metricsPort}").AllowAnonymous();
        else
            scrape.RequireAuthorization();
        return app;
    }

    /// <summary>
    /// A body over the limit is refused with 413 ProblemDetails: at once when its declared length is too large, and
    /// when chunked, by the server as soon as it is read past the limit (so nothing ever buffers an unbounded body).
    /// </summary>
    static async Task LimitRequestBody(HttpContext context, RequestDelegate next)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<RequestBodyLimits>>().Value;
        // A file sent in a form to a CSV route is an upload like the raw file.
        var limit = RequestBodyLimits.IsJsonOrForm(context.Request) && !(context.Request.HasFormContentType && CsvUploads.IsCsvUpload(context))
            ? limits.MaxRequestBodyBytes : limits.MaxUploadBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "Request too large",
                    Detail = $"The body is {context.Request.ContentLength} bytes; at most {limit} bytes are accepted here.",
                    Extensions = { ["field"] = "body" },
                },
            });
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        await next(context);
    }

    static Task WriteHealthReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
        });
    }
}

/// <summary>
/// The largest request body a host reads (<c>Api:MaxRequestBodyBytes</c> for JSON and forms, <c>Api:MaxUploadBodyBytes</c>
/// for CSV uploads and any other body read as a file, such as rosters and roll calls).
/// </summary>
public sealed class RequestBodyLimits
{
    public const string Section = "Api";

    public long MaxRequestBodyBytes { get; set; } = 5 * 1024 * 1024;

    public long MaxUploadBodyBytes { get; set; } = 20 * 1024 * 1024;

    public static bool IsJsonOrForm(HttpRequest request) =>
        request.HasJsonContentType() || request.HasFormContentType;
}

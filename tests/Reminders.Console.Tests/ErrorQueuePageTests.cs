using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Reminders.Attendance;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Console.Tests;

/// <summary>The local host with retries off, so a message that fails lands in its error queue at once instead of minutes later.</summary>
public sealed class NoRetryConsoleFixture : ConsoleFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Bus:RetryLimit"] = "0";
}

/// <summary>
/// The delivery monitor's "Mensajes con error": a training session cancelled before Attendance heard it was scheduled fails
/// (a real consumer, a real ordering problem), shows with its error in words, and once the scheduling has arrived the manager
/// re-drives it after confirming: it leaves the list and Attendance records the session cancelled. A researcher gets no button.
/// One test: the class's host has a single error queue to watch.
/// </summary>
public sealed class ErrorQueuePageTests(NoRetryConsoleFixture fixture) : IClassFixture<NoRetryConsoleFixture>
{
    const string Queue = "attendance-training-session-cancelled_error";

    [Fact]
    public async Task A_failed_message_shows_in_the_delivery_monitor_and_the_manager_re_drives_it_after_confirming()
    {
        var services = fixture.Services.Services;
        var bus = services.GetRequiredService<IBus>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var (sessionId, cohortId) = (Guid.NewGuid(), Guid.NewGuid());
        // Sent straight to Attendance's queue: the cancellation overtakes the scheduling, so Attendance's consumer throws.
        var cancelled = await bus.GetSendEndpoint(new Uri("queue:attendance-training-session-cancelled"));
        await cancelled.Send(new TrainingSessionCancelled(sessionId, cohortId, "Sede cerrada por lluvias", now));
        await EventuallyAsync(async () => (await ErrorQueuesAsync()).GetProperty("messages").GetArrayLength() == 1);

        await using var page = await fixture.SignInAsync("ana");
        var p = page.Page;
        await p.GotoAsync("/delivery");
        var errors = p.GetByRole(AriaRole.Region, new() { Name = "Mensajes con error" });
        await Assertions.Expect(errors).ToContainTextAsync("Mensajes que el sistema no pudo procesar");
        var row = errors.GetByRole(AriaRole.Row).Filter(new() { HasText = "Sesión de capacitación cancelada" });
        await Assertions.Expect(row).ToContainTextAsync("la asistencia (servicio Attendance)");
        await Assertions.Expect(row).ToContainTextAsync("El sistema falló al procesarlo.");
        await Assertions.Expect(row).ToContainTextAsync($"Session {sessionId} cancelled before it was scheduled here.");
        await Assertions.Expect(errors.GetByRole(AriaRole.Caption)).ToHaveTextAsync("1 mensaje en espera.");
        await page.CheckAsync("delivery-error-queue");

        // A researcher, meanwhile, gets no button (the monitor is the managers'), and the API refuses their key.
        await using (var researcher = await fixture.SignInAsync("rosa"))
        {
            await researcher.Page.GotoAsync("/delivery");
            await Assertions.Expect(researcher.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).Not.ToHaveTextAsync("Envíos de SMS");
            await Assertions.Expect(researcher.Page.GetByRole(AriaRole.Region, new() { Name = "Mensajes con error" })).ToHaveCountAsync(0);
            await Assertions.Expect(researcher.Page.GetByRole(AriaRole.Button, new() { Name = "Reintentar" })).ToHaveCountAsync(0);
        }
        using (var http = new HttpClient { BaseAddress = fixture.Manager.BaseAddress })
        {
            http.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, fixture.Services.ApiKey(Roles.Researcher));
            var refused = await http.PostAsJsonAsync($"/api/attendance/error-queues/{Queue}/redrive", new { });
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        Assert.Equal(1, (await ErrorQueuesAsync()).GetProperty("messages").GetArrayLength());

        // The cause goes away: the scheduling arrives. Then the manager retries, confirming first.
        var scheduled = await bus.GetSendEndpoint(new Uri("queue:attendance-training-session-scheduled"));
        var day = DateOnly.FromDateTime(now.UtcDateTime).AddDays(3);
        await scheduled.Send(new TrainingSessionScheduled(sessionId, cohortId, Guid.NewGuid(), "patrol", 1, day, now.AddDays(3), now.AddDays(3).AddHours(4),
            "Sede Norte", fixture.TrainerId, "test", now));
        await EventuallyAsync(async () => await SessionStatusAsync(sessionId) == "scheduled");

        await row.GetByRole(AriaRole.Button, new() { Name = "Reintentar", Exact = true }).ClickAsync();
        var confirm = p.GetByRole(AriaRole.Region, new() { Name = "¿Reintentar el mensaje «Sesión de capacitación cancelada»?" });
        await Assertions.Expect(confirm).ToContainTextAsync("Hágalo solo si ya se corrigió la causa del error");
        await page.CheckAsync("delivery-error-queue-confirm");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Sí, reintentar" }).ClickAsync();

        await Assertions.Expect(errors.GetByRole(AriaRole.Status)).ToHaveTextAsync("Se reintentó 1 mensaje. Si vuelve a fallar, aparecerá otra vez en esta lista.");
        await Assertions.Expect(errors).ToContainTextAsync("No hay mensajes con error");
        await Assertions.Expect(errors.GetByRole(AriaRole.Button, new() { Name = "Reintentar" })).ToHaveCountAsync(0);
        await page.CheckAsync("delivery-error-queue-redriven");

        // What the services recorded: Attendance took the cancellation, and the error queue is empty.
        await EventuallyAsync(async () => await SessionStatusAsync(sessionId) == "cancelled");
        var after = await ErrorQueuesAsync();
        Assert.Equal(0, after.GetProperty("messages").GetArrayLength());
        Assert.Equal(0, after.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == Queue).GetProperty("messages").GetInt64());
    }

    async Task<JsonElement> ErrorQueuesAsync() => await fixture.Manager.GetFromJsonAsync<JsonElement>("/api/attendance/error-queues");

    async Task<string?> SessionStatusAsync(Guid sessionId)
    {
        await using var connection = await fixture.Services.Services.GetRequiredService<AttendanceDatabase>().OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<string>("SELECT status FROM sessions WHERE session_id = @sessionId", new { sessionId });
    }

    static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The services never reached the expected state.");
            await Task.Delay(100);
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reminders.Platform.Auth;
using Reminders.Platform.Bus;
using Reminders.Platform.Hosting;
using Reminders.Platform.Tests.Infrastructure;
using Reminders.Testing;

namespace Reminders.Platform.Tests;

/// <summary>A message the widgets endpoint has no consumer for.</summary>
public sealed record Stray(Guid Id);

/// <summary>A command whose consumer fails until told otherwise (a missing precondition that later arrives).</summary>
public sealed record Explode(Guid Id);

public sealed class ExplodeConsumer(ErrorQueueTests.Switch failing, ErrorQueueTests.Consumptions consumed) : IConsumer<Explode>
{
    public Task Consume(ConsumeContext<Explode> context)
    {
        if (failing.On) throw new InvalidOperationException($"Widget {context.Message.Id} is not ready for +52 55 1234 5678");
        consumed.Add(context.Message.Id);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A message whose consumer throws (retries off) lands in the endpoint's <c>_error</c> queue, on real RabbitMQ and on the
/// in-memory bus alike: it is listed with its exception, counted by the metric and in readiness (Degraded), re-driven by a
/// manager (never by a researcher, never for an unknown queue or message) and then consumed exactly once.
/// </summary>
public sealed class ErrorQueueTests
{
    const string Service = "widgets";
    const string Endpoint = "widgets-explode";
    const string ManagerKey = "manager-key-for-error-queue-tests";
    const string ResearcherKey = "researcher-key-for-error-queue-tests";

    public sealed class Switch
    {
        public volatile bool On = true;
    }

    public sealed class Consumptions
    {
        readonly ConcurrentDictionary<Guid, int> counts = new();
        public void Add(Guid id) => counts.AddOrUpdate(id, 1, (_, n) => n + 1);
        public int Of(Guid id) => counts.GetValueOrDefault(id);
    }

    [Theory]
    [InlineData(BusTransport.RabbitMq)]
    [InlineData(BusTransport.InMemory)]
    public async Task A_failed_message_is_listed_counted_and_re_driven_once_by_a_manager(BusTransport transport)
    {
        await using var vhost = transport == BusTransport.RabbitMq ? await TestVirtualHost.CreateAsync("error-queues") : null;
        var logs = new LogCapture();
        var failing = new Switch();
        var consumed = new Consumptions();
        await using var app = await StartAsync(vhost, logs, failing, consumed);
        using var manager = Client(app, ManagerKey);
        using var researcher = Client(app, ResearcherKey);

        var id = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        // Published, not sent to queue:...: a send endpoint would declare the queue itself, without the endpoint's quorum type.
        await app.Services.GetRequiredService<IBus>().Publish(new Explode(id), c => c.MessageId = messageId);

        // Listed, with the exception (phone masked, as in the logs).
        JsonElement listed = default;
        await Eventually.UntilAsync(async () =>
        {
            listed = await manager.GetFromJsonAsync<JsonElement>($"/api/{Service}/error-queues");
            return listed.GetProperty("messages").GetArrayLength() == 1;
        }, TimeSpan.FromSeconds(30), "the failed message is listed", () => logs.Tail());
        var message = listed.GetProperty("messages")[0];
        Assert.Equal(Endpoint + "_error", message.GetProperty("queue").GetString());
        Assert.Equal("error", message.GetProperty("kind").GetString());
        Assert.Equal(messageId.ToString(), message.GetProperty("messageId").GetString());
        Assert.Equal(nameof(Explode), message.GetProperty("messageType").GetString());
        Assert.Equal(typeof(InvalidOperationException).FullName, message.GetProperty("exceptionType").GetString());
        Assert.StartsWith($"Widget {id} is not ready for +52", message.GetProperty("exceptionMessage").GetString());
        Assert.DoesNotContain("1234", message.GetProperty("exceptionMessage").GetString());
        Assert.Equal(Endpoint, message.GetProperty("destination").GetString());
        Assert.True(message.GetProperty("faultedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        var depth = listed.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == Endpoint + "_error");
        Assert.Equal(1, depth.GetProperty("messages").GetInt64());
        Assert.Equal(0, consumed.Of(id));

        // Readiness: Degraded (the service still works), naming the queue; the gauge counts it.
        var health = await manager.GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("Degraded", health.GetProperty("status").GetString());
        var check = health.GetProperty("checks").GetProperty("error-queues");
        Assert.Equal("Degraded", check.GetProperty("status").GetString());
        Assert.Contains($"{Endpoint}_error (1)", check.GetProperty("description").GetString());
        var metrics = await manager.GetStringAsync("/metrics");
        Assert.Matches($"reminders_bus_error_queue_messages\\{{[^}}]*kind=\"error\"[^}}]*queue=\"{Endpoint}_error\"[^}}]*\\}} 1\\b", metrics);

        // Bad paths: a researcher may not; an unknown message or queue is a 404 naming the field.
        var refused = await researcher.PostAsJsonAsync($"/api/{Service}/error-queues/{Endpoint}_error/redrive", new { messageId });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await AssertNotFoundAsync(await manager.PostAsJsonAsync($"/api/{Service}/error-queues/{Endpoint}_error/redrive", new { messageId = Guid.NewGuid() }), "messageId");
        await AssertNotFoundAsync(await manager.PostAsJsonAsync($"/api/{Service}/error-queues/nothing-here_error/redrive", new { messageId }), "queue");
        Assert.Equal(0, consumed.Of(id));

        // The precondition arrives; the manager re-drives the message, and it is consumed once.
        failing.On = false;
        var redriven = await manager.PostAsJsonAsync($"/api/{Service}/error-queues/{Endpoint}_error/redrive", new { messageId });
        Assert.Equal(HttpStatusCode.OK, redriven.StatusCode);
        var result = await redriven.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, result.GetProperty("redriven").GetInt32());
        Assert.Equal(Endpoint, result.GetProperty("destination").GetString());
        await Eventually.UntilAsync(() => Task.FromResult(consumed.Of(id) == 1), TimeSpan.FromSeconds(30), "the re-driven message is consumed", () => logs.Tail());
        Assert.Contains("ana-manager re-drove 1 message(s) from widgets-explode_error to widgets-explode", logs.Tail(400));

        var after = await manager.GetFromJsonAsync<JsonElement>($"/api/{Service}/error-queues");
        Assert.Equal(0, after.GetProperty("messages").GetArrayLength());
        Assert.All(after.GetProperty("queues").EnumerateArray(), q => Assert.Equal(0, q.GetProperty("messages").GetInt64()));
        var healthy = await manager.GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("Healthy", healthy.GetProperty("checks").GetProperty("error-queues").GetProperty("status").GetString());
        // Still once: the copy was the only delivery, and nothing went back to the error queue.
        Assert.Equal(1, consumed.Of(id));
    }

    [Theory]
    [InlineData(BusTransport.RabbitMq)]
    [InlineData(BusTransport.InMemory)]
    public async Task A_message_no_consumer_takes_is_listed_and_counted_as_skipped(BusTransport transport)
    {
        await using var vhost = transport == BusTransport.RabbitMq ? await TestVirtualHost.CreateAsync("error-queues") : null;
        var logs = new LogCapture();
        await using var app = await StartAsync(vhost, logs, new Switch(), new Consumptions());
        using var manager = Client(app, ManagerKey);

        var messageId = NewId.NextGuid();
        // To the endpoint's own exchange: the queue receives a type none of its consumers takes.
        var endpoint = await app.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"exchange:{Endpoint}"));
        await endpoint.Send(new Stray(Guid.NewGuid()), c => c.MessageId = messageId);

        JsonElement listed = default;
        await Eventually.UntilAsync(async () =>
        {
            listed = await manager.GetFromJsonAsync<JsonElement>($"/api/{Service}/error-queues");
            return listed.GetProperty("messages").GetArrayLength() == 1;
        }, TimeSpan.FromSeconds(30), "the skipped message is listed", () => logs.Tail());
        var message = listed.GetProperty("messages")[0];
        Assert.Equal(Endpoint + "_skipped", message.GetProperty("queue").GetString());
        Assert.Equal("skipped", message.GetProperty("kind").GetString());
        Assert.Equal(messageId.ToString(), message.GetProperty("messageId").GetString());
        Assert.Equal(nameof(Stray), message.GetProperty("messageType").GetString());
        var health = await manager.GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Contains($"{Endpoint}_skipped (1)", health.GetProperty("checks").GetProperty("error-queues").GetProperty("description").GetString());
    }

    [Theory]
    [InlineData(BusTransport.RabbitMq)]
    [InlineData(BusTransport.InMemory)]
    public async Task Re_driving_a_whole_queue_moves_every_message_back_once(BusTransport transport)
    {
        await using var vhost = transport == BusTransport.RabbitMq ? await TestVirtualHost.CreateAsync("error-queues") : null;
        var logs = new LogCapture();
        var failing = new Switch();
        var consumed = new Consumptions();
        await using var app = await StartAsync(vhost, logs, failing, consumed);
        using var manager = Client(app, ManagerKey);

        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        var bus = app.Services.GetRequiredService<IBus>();
        foreach (var id in ids) await bus.Publish(new Explode(id));
        await Eventually.UntilAsync(async () =>
            (await manager.GetFromJsonAsync<JsonElement>($"/api/{Service}/error-queues")).GetProperty("messages").GetArrayLength() == 3,
            TimeSpan.FromSeconds(30), "the three failed messages are listed", () => logs.Tail());

        failing.On = false;
        var redriven = await manager.PostAsJsonAsync($"/api/{Service}/error-queues/{Endpoint}_error/redrive", new { });
        Assert.Equal(HttpStatusCode.OK, redriven.StatusCode);
        Assert.Equal(3, (await redriven.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("redriven").GetInt32());
        await Eventually.UntilAsync(() => Task.FromResult(ids.All(id => consumed.Of(id) == 1)), TimeSpan.FromSeconds(30),
            "every re-driven message is consumed", () => logs.Tail());
        Assert.Equal(0, (await manager.GetFromJsonAsync<JsonElement>($"/api/{Service}/error-queues")).GetProperty("messages").GetArrayLength());
        Assert.All(ids, id => Assert.Equal(1, consumed.Of(id)));
    }

    static async Task AssertNotFoundAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    static HttpClient Client(WebApplication app, string key)
    {
        var client = app.GetTestClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        return client;
    }

    static async Task<WebApplication> StartAsync(TestVirtualHost? vhost, LogCapture logs, Switch failing, Consumptions consumed)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        var settings = new Dictionary<string, string?>(vhost?.BusSettings() ?? new Dictionary<string, string?> { ["Bus:Transport"] = "InMemory" })
        {
            ["Bus:RetryLimit"] = "0",
            ["Auth:ApiKeys:0:Name"] = "ana-manager", ["Auth:ApiKeys:0:Key"] = ManagerKey, ["Auth:ApiKeys:0:Roles:0"] = Roles.Manager,
            ["Auth:ApiKeys:1:Name"] = "rosa-researcher", ["Auth:ApiKeys:1:Key"] = ResearcherKey, ["Auth:ApiKeys:1:Roles:0"] = Roles.Researcher,
        };
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(failing);
        builder.Services.AddSingleton(consumed);
        builder.AddReminderBus(bus => bus.AddServiceConsumer<ExplodeConsumer>(Service, "explode"));
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapErrorQueuesApi(Service);
        await app.StartAsync();
        var control = app.Services.GetRequiredService<IBusControl>();
        await Eventually.UntilAsync(() => Task.FromResult(control.CheckHealth().Status == BusHealthStatus.Healthy),
            TimeSpan.FromSeconds(30), "the bus is healthy", () => logs.Tail());
        return app;
    }
}

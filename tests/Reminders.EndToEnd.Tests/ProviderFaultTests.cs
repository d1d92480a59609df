using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reminders.Contracts;
using Reminders.Messaging.Delivery;
using Reminders.ProviderSimulator.Faults;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The provider misbehaves (refuses for a while, fails, takes the message and never answers): each SMS still
/// reaches the provider exactly once, and a send in doubt is resolved by looking it up, not by sending again.
/// </summary>
public sealed class ProviderFaultTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    readonly LocalHostFixture host = seeded.Host;

    SimulatorFaults Faults => host.App.Services.GetRequiredService<SimulatorFaults>();

    async Task<(string State, long Attempts)> SendAndWaitAsync(string body)
    {
        var command = new SendSms(Guid.NewGuid(), seeded.Flow.Delivered[1].OfficerId, SmsPurposes.Manual, body, host.Now());
        var endpoint = await host.App.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));
        await endpoint.Send(command);
        for (var i = 0; i < 500; i++)
        {
            var row = (await host.QueryAsync<(string, long)>("messaging", "SELECT state, attempts FROM outbound_sms WHERE sms_id = @id",
                new { id = command.SmsId.ToString() })).SingleOrDefault();
            if (row.Item1 is "accepted" or "failed" or "refused") return row;
            await Task.Delay(20);
        }
        throw new TimeoutException($"SMS {command.SmsId} was never settled");
    }

    int ProviderMessagesWithBody(string body) =>
        host.App.Services.GetRequiredService<SimulatorLog>().Snapshot(null).Count(m => m.Body == body);

    [Fact]
    public async Task A_provider_that_takes_the_message_and_drops_the_connection_gets_it_once()
    {
        var body = $"Prueba: conexion cortada {Guid.NewGuid():N}";
        Faults.Add(new FaultSpec(FaultKind.AcceptThenDrop, Count: 1));
        var (state, attempts) = await SendAndWaitAsync(body);
        Assert.Equal("accepted", state);
        Assert.Equal(1, attempts);
        Assert.Equal(1, ProviderMessagesWithBody(body));
    }

    [Theory]
    [InlineData(FaultKind.AcceptThenBadGateway)]
    [InlineData(FaultKind.AcceptThenHtml)]
    [InlineData(FaultKind.AcceptThenTruncatedJson)]
    public async Task An_answer_that_cannot_be_read_after_the_provider_took_the_message_is_looked_up_never_failed(FaultKind kind)
    {
        var body = $"Prueba: respuesta ilegible {kind} {Guid.NewGuid():N}";
        Faults.Add(new FaultSpec(kind, Count: 1));

        var sms = await host.App.SettledAsync(await host.App.SendSmsAsync(seeded.Flow.Delivered[1].OfficerId, SmsPurposes.Manual, body));

        Assert.Equal(("accepted", null), (sms.State, sms.ErrorCode));
        var atProvider = Assert.Single(host.App.Services.GetRequiredService<SimulatorLog>().Snapshot(null), m => m.Body == body);
        Assert.Equal(atProvider.Sid, sms.ProviderSid);
        // The provider's callbacks for the message it took are matched to the SMS, as for any other.
        await SmsSteps.WaitForAsync(() => host.App.QueryAsync<string?>("messaging", "SELECT status FROM outbound_sms WHERE provider_sid = @sid", new { sid = atProvider.Sid }),
            s => s is ["delivered"], $"SMS {atProvider.Sid} never reached delivered");
    }

    [Fact]
    public async Task Rate_limited_and_failing_provider_answers_are_retried_until_it_takes_the_message_once()
    {
        var log = CaptureLog();
        var body = $"Prueba: reintentos {Guid.NewGuid():N}";
        Faults.Add(new FaultSpec(FaultKind.Error429, Count: 2));
        Faults.Add(new FaultSpec(FaultKind.Error500, Count: 1));
        var (state, attempts) = await SendAndWaitAsync(body);
        Assert.Equal("accepted", state);
        Assert.Equal(4, attempts);
        Assert.Equal(1, ProviderMessagesWithBody(body));
        // Each answer that did not take it is a line naming its code and what it means.
        Assert.Equal(2, log.Count(l => l.Contains("not taken by the provider, error 20429: too many requests")));
        Assert.Contains(log, l => l.Contains("in doubt and not found at the provider") && l.Contains("(20500)"));
    }

    [Fact]
    public async Task A_send_in_doubt_never_claims_the_provider_message_of_another_sms_with_the_same_text()
    {
        var officerId = seeded.Flow.Delivered[1].OfficerId;
        var body = $"Prueba: mismo texto {Guid.NewGuid():N}";
        var first = await host.App.SettledAsync(await host.App.SendSmsAsync(officerId, SmsPurposes.Manual, body));

        // The provider did not take the second (a 5xx is in doubt); the first's message, same number and text, is not it.
        Faults.Add(new FaultSpec(FaultKind.Error500, Count: 1));
        var second = await host.App.SettledAsync(await host.App.SendSmsAsync(officerId, SmsPurposes.Manual, body));

        Assert.Equal(("accepted", "accepted"), (first.State, second.State));
        Assert.NotEqual(first.ProviderSid, second.ProviderSid);
        Assert.Equal(2, ProviderMessagesWithBody(body));
    }

    /// <summary>
    /// The provider took the SMS, its answer was unreadable, and the lookups that followed failed twice (the provider's list
    /// unreadable, as a database outage or a crash mid-lookup would leave it): the third attempt, a couple of minutes on, still
    /// looks the SMS up from the first request's time, finds it, and never sends it again (the chaos run with seed 20261207
    /// sent one twice because each attempt's claim moved the doubt's start to its own time).
    /// </summary>
    [Fact]
    public async Task A_send_in_doubt_whose_lookups_fail_is_still_looked_up_from_its_first_request_and_never_sent_twice()
    {
        var officerId = seeded.Flow.Delivered[1].OfficerId;
        var body = $"Prueba: consultas fallidas {Guid.NewGuid():N}";
        var clock = (Reminders.Platform.Hosting.StudyClock)host.App.Services.GetRequiredService<TimeProvider>();
        Faults.Add(new FaultSpec(FaultKind.AcceptThenBadGateway, Count: 1));
        var unreadableList = Faults.Add(new FaultSpec(FaultKind.ListUnreadable, Count: 2));
        int ListFaultsLeft() => Faults.Active().SingleOrDefault(f => f.Id == unreadableList.Id)?.Remaining ?? 0;
        var command = new SendSms(Guid.NewGuid(), officerId, SmsPurposes.Manual, body, host.Now());
        var endpoint = await host.App.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));

        await endpoint.Send(command);
        // First attempt: the provider has it, the answer is a gateway's 502 and the lookup cannot read the list.
        await SmsSteps.WaitForAsync(() => Task.FromResult(ListFaultsLeft()), left => left == 1, "The first lookup never ran");
        Assert.Equal(1, ProviderMessagesWithBody(body));
        // Second attempt, once the first one's lease has lapsed: its lookup of the first request fails too.
        clock.JumpTo(host.Now().AddMinutes(1));
        await SmsSteps.WaitForAsync(() => Task.FromResult(ListFaultsLeft()), left => left == 0, "The second lookup never ran", seconds: 60);
        // Third attempt: the list reads again.
        clock.JumpTo(host.Now().AddMinutes(1));

        var (state, providerSid, _) = await SmsSteps.WaitForAsync(() => OutboundAsync(command.SmsId), r => r.State is "accepted" or "failed" or "in_doubt_ambiguous",
            "The SMS was never settled", seconds: 60);
        var atProvider = Assert.Single(host.App.Services.GetRequiredService<SimulatorLog>().Snapshot(null), m => m.Body == body);
        Assert.Equal(("accepted", atProvider.Sid), (state, providerSid));
    }

    [Fact]
    public async Task A_send_in_doubt_never_claims_a_provider_message_from_before_its_own_request()
    {
        var officerId = seeded.Flow.Delivered[1].OfficerId;
        var phone = (await host.QueryAsync<string>("messaging", "SELECT phone_e164 FROM contacts WHERE officer_id = @id", new { id = officerId.ToString() })).Single();
        var body = $"Prueba: mensaje anterior {Guid.NewGuid():N}";
        // A message with its text reached the number a minute before, from outside Messaging.
        await CreateAtProviderAsync(phone, body);
        var clock = (Reminders.Platform.Hosting.StudyClock)host.App.Services.GetRequiredService<TimeProvider>();
        clock.JumpTo(host.Now().AddMinutes(1));
        Faults.Add(new FaultSpec(FaultKind.Error500, Count: 1));

        var sms = await host.App.SettledAsync(await host.App.SendSmsAsync(officerId, SmsPurposes.Manual, body));

        var atProvider = host.App.Services.GetRequiredService<SimulatorLog>().Snapshot(phone).Where(m => m.Body == body).ToList();
        Assert.Equal(2, atProvider.Count);
        Assert.Equal(("accepted", atProvider[1].Sid), (sms.State, sms.ProviderSid));
    }

    [Fact]
    public async Task Two_provider_messages_that_could_be_a_send_in_doubt_are_not_guessed_and_the_sms_is_never_sent_again_automatically()
    {
        var officerId = seeded.Flow.Delivered[2].OfficerId;
        var phone = (await host.QueryAsync<string>("messaging", "SELECT phone_e164 FROM contacts WHERE officer_id = @id", new { id = officerId.ToString() })).Single();
        var body = $"Prueba: dos candidatos {Guid.NewGuid():N}";
        // Two messages with its text reach the number from outside Messaging (a person at the provider's console, twice) just before it.
        await CreateAtProviderAsync(phone, body);
        await CreateAtProviderAsync(phone, body);
        Faults.Add(new FaultSpec(FaultKind.Error500, Count: 1));
        var command = new SendSms(Guid.NewGuid(), officerId, SmsPurposes.Manual, body, host.Now());
        var endpoint = await host.App.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));

        await endpoint.Send(command);

        var (state, providerSid, candidates) = await SmsSteps.WaitForAsync(() => OutboundAsync(command.SmsId), r => r.State == "in_doubt_ambiguous",
            "The SMS never waited for a person");
        Assert.Null(providerSid);
        Assert.Equal(2, candidates!.Split(',').Length);
        // Neither the bus redelivering the command nor the reconciliation sends it again.
        await endpoint.Send(command);
        await host.App.Services.GetRequiredService<SmsReconciliation>().RunAsync(CancellationToken.None);
        await Task.Delay(500);
        Assert.Equal("in_doubt_ambiguous", (await OutboundAsync(command.SmsId)).State);
        Assert.Equal(2, ProviderMessagesWithBody(body));
    }

    async Task<(string State, string? ProviderSid, string? Candidates)> OutboundAsync(Guid smsId) =>
        (await host.QueryAsync<(string, string?, string?)>("messaging", "SELECT state, provider_sid, in_doubt_candidates FROM outbound_sms WHERE sms_id = @id",
            new { id = smsId.ToString() })).SingleOrDefault();

    async Task CreateAtProviderAsync(string to, string body)
    {
        var config = host.App.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
        using var http = new HttpClient { BaseAddress = new Uri(host.Url) };
        var sid = config["Simulator:AccountSid"] ?? "ACsimulator00000000000000000000000";
        var token = config["Simulator:AuthToken"] ?? "simulator-fake-auth-token";
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{sid}:{token}")));
        using var response = await http.PostAsync($"/2010-04-01/Accounts/{sid}/Messages.json", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["To"] = to, ["From"] = "+15005550006", ["Body"] = body,
        }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refused_credentials_pause_sending_without_failing_the_sms_and_sending_resumes_by_itself_once_they_work()
    {
        var log = CaptureLog();
        using var http = host.App.ManagerHttp();
        var body = $"Prueba: credenciales rotadas {Guid.NewGuid():N}";
        // The metric as this host's meter records it (other hosts in the test process have meters of the same name).
        long refused = 0;
        var meters = host.App.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "reminders.messaging.provider.credentials_refused") l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref refused, value));
        listener.Start();
        Faults.Add(new FaultSpec(FaultKind.CredentialsRefused, ForMs: 2500));

        var smsId = await host.App.SendSmsAsync(seeded.Flow.Delivered[1].OfficerId, SmsPurposes.Manual, body);

        var ready = await SmsSteps.WaitForAsync(() => http.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable,
            "Readiness never turned unhealthy while the provider refused the credentials", seconds: 10);
        Assert.Contains("refuses the credentials", await ready.Content.ReadAsStringAsync());
        Assert.True(Interlocked.Read(ref refused) > 0, "the credentials-refused metric did not rise");
        Assert.Contains(log, l => l.Contains("Sending paused") && l.Contains("20003"));

        var sms = await host.App.SettledAsync(smsId);
        Assert.Equal(("accepted", null), (sms.State, sms.ErrorCode));
        Assert.Equal(1, ProviderMessagesWithBody(body));
        // Waiting for the credentials is not an attempt: the SMS went at its first.
        Assert.Equal(1L, (await host.QueryAsync<long>("messaging", "SELECT attempts FROM outbound_sms WHERE sms_id = @id", new { id = smsId.ToString() })).Single());
        await SmsSteps.WaitForAsync(() => http.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK, "Readiness never recovered");
        Assert.Contains(log, l => l.Contains("Sending resumed"));
    }

    /// <summary>The host's log lines from now on (message text only), as an operator reads them.</summary>
    ConcurrentQueue<string> CaptureLog()
    {
        var lines = new ConcurrentQueue<string>();
        host.App.Services.GetRequiredService<ILoggerFactory>().AddProvider(new LineLog(lines));
        return lines;
    }

    sealed class LineLog(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose() { }

        sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) lines.Enqueue(formatter(state, exception));
            }
        }
    }
}

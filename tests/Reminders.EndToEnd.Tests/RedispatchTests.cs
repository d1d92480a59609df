using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Messaging.Audit;
using Reminders.Platform.Auth;
using Reminders.Platform.Bus;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// No SendSms lost, none unseen (issue 14), on the one-process default: a reminder the Scheduler dispatched and Messaging
/// never received (the in-memory bus lost the command in a crash) is seen by the audit as dispatched_not_received, then
/// sent again under the same SmsId once the configured time has passed, and reaches the officer once; an SMS Messaging has
/// accepted is confirmed and never reaches the provider again, even when its SendSms comes back.
/// </summary>
public sealed class RedispatchTests(RedispatchHostFixture fixture) : IClassFixture<RedispatchHostFixture>
{
    static int nextPhone = 7600;
    WebApplication App => fixture.Host.App;

    async Task<EnrolledOfficer> EnrollAsync()
    {
        var officer = await App.EnrollAsync(fixture.Host.SectorOf(StudyArms.Treatment), $"+52550000{Interlocked.Increment(ref nextPhone)}");
        // The Scheduler decides by its own replica of the officer's arm, as the dispatcher does.
        await SmsSteps.WaitForAsync(() => App.QueryAsync<string>("scheduler", "SELECT arm FROM officer_arms WHERE officer_id = @id", new { id = officer.Id.ToString() }),
            arms => arms is [StudyArms.Treatment], $"The Scheduler never learned officer {officer.Id}'s arm");
        return officer;
    }

    /// <summary>A planned reminder row as the planner writes it, in <paramref name="status"/> (dispatched: as the dispatcher leaves it).</summary>
    Task PlantReminderAsync(Guid smsId, Guid officerId, string body, string status, DateTimeOffset at) =>
        App.ExecuteAsync("scheduler", """
            INSERT INTO planned_sms (sms_id, officer_id, purpose, kind, reminder_number, body, due_at, protocol_version, status, planned_by, planned_at, dispatched_at)
            VALUES (@smsId, @officerId, 'reminder', 'reminder', 1, @body, @at, 'test', @status, 'test', @at, CASE WHEN @status = 'dispatched' THEN @at ELSE NULL END)
            """, new { smsId, officerId, body, status, at });

    sealed record PlannedRow
    {
        public string Status { get; init; } = "";
        public string? AnsweredState { get; init; }
        public long RedispatchCount { get; init; }
    }

    Task<IReadOnlyList<PlannedRow>> PlannedAsync(Guid smsId) =>
        App.QueryAsync<PlannedRow>("scheduler", "SELECT status AS Status, answered_state AS AnsweredState, redispatch_count AS RedispatchCount FROM planned_sms WHERE sms_id = @id",
            new { id = smsId.ToString() });

    IReadOnlyList<SimulatedMessage> AtProvider(EnrolledOfficer officer) => App.Services.GetRequiredService<SimulatorLog>().Snapshot(officer.Phone);

    void JumpClock(TimeSpan by) => ((StudyClock)App.Services.GetRequiredService<TimeProvider>()).JumpTo(App.StudyNow() + by);

    async Task<AuditReport> AuditAsync()
    {
        using var http = App.ManagerHttp();
        using var response = await http.PostAsync("/api/messaging/audit", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonSerializer.Deserialize<AuditReport>(body, JsonSerializerOptions.Web)!;
    }

    [Fact]
    public async Task A_dispatched_reminder_Messaging_never_received_is_sent_again_under_its_id_after_the_configured_time_and_reaches_the_officer_once()
    {
        var officer = await EnrollAsync();
        var (smsId, body, now) = (Guid.CreateVersion7(), $"Recordatorio perdido {Guid.NewGuid():N}", App.StudyNow());
        // The plan reaches the ledger; the dispatcher marks the row dispatched; the SendSms is lost on the way (nothing is put on the bus).
        await App.Services.GetRequiredService<IBus>().Publish(new RemindersPlanned(Guid.NewGuid(), "test",
            [new PlannedReminder(smsId, officer.Id, 1, now, "planned", null)], now));
        await PlantReminderAsync(smsId, officer.Id, body, "dispatched", now);
        await SmsSteps.WaitForAsync(() => App.QueryAsync<long>("attendance", "SELECT COUNT(*) FROM reminder_ledger WHERE sms_id = @id", new { id = smsId.ToString() }),
            n => n[0] == 1, "The ledger never learned of the planned reminder");

        // Before the configured time (15 minutes here) the job leaves it alone, and the audit lets it settle (grace: 10 minutes).
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(0L, (await PlannedAsync(smsId)).Single().RedispatchCount);
        Assert.Equal(1L, (await AuditAsync()).Unsettled.ByReason.GetValueOrDefault("messaging_catching_up"));
        JumpClock(TimeSpan.FromMinutes(11));
        var lost = Assert.Single((await AuditAsync()).Differences, d => d.Kind == DifferenceKinds.DispatchedNotReceived);
        Assert.Equal((smsId, officer.Id, "absent", "dispatched (reminder)"), (lost.SmsId!.Value, lost.OfficerId!.Value, lost.Messaging, lost.Scheduler));
        Assert.Empty(await App.QueryAsync<string>("messaging", "SELECT state FROM outbound_sms WHERE sms_id = @id", new { id = smsId.ToString() }));

        JumpClock(TimeSpan.FromMinutes(5));
        var sms = await App.SettledAsync(smsId);

        Assert.Equal("accepted", sms.State);
        await SmsSteps.WaitForAsync(() => App.QueryAsync<string?>("attendance", "SELECT status FROM sms_ledger WHERE sms_id = @id", new { id = smsId.ToString() }),
            rows => rows is ["delivered"], $"The ledger never showed reminder {smsId} delivered");
        Assert.Equal(1L, (await PlannedAsync(smsId)).Single().RedispatchCount);
        // Asked again once the configured time has passed since it was sent again: now Messaging answers.
        JumpClock(TimeSpan.FromMinutes(16));
        var row = await SmsSteps.WaitForAsync(async () => (await PlannedAsync(smsId)).Single(), r => r.AnsweredState is not null,
            "The Scheduler never confirmed the reminder Messaging accepted", seconds: 20);
        Assert.Equal(("dispatched", "accepted", 1L), (row.Status, row.AnsweredState, row.RedispatchCount));
        Assert.Single(AtProvider(officer), m => m.Body == body);
        Assert.DoesNotContain((await AuditAsync()).Differences, d => d.SmsId == smsId || d.OfficerId == officer.Id);
    }

    [Fact]
    public async Task A_SendSms_that_ends_in_Messagings_error_queue_is_sent_again_under_its_id_after_the_configured_time_and_reaches_the_officer_once()
    {
        var officer = await EnrollAsync();
        var (smsId, body, now) = (Guid.CreateVersion7(), $"Recordatorio en la cola de errores {Guid.NewGuid():N}", App.StudyNow());
        await App.Services.GetRequiredService<IBus>().Publish(new RemindersPlanned(Guid.NewGuid(), "test",
            [new PlannedReminder(smsId, officer.Id, 1, now, "planned", null)], now));
        // Messaging's replica loses the officer's phone: it retries the SendSms waiting for it (each attempt rolled back,
        // nothing recorded) until the bus gives up and moves it to the error queue, where nobody re-drives it.
        var placeholder = Guid.NewGuid();
        await App.ExecuteAsync("messaging", "UPDATE contacts SET officer_id = @placeholder WHERE officer_id = @id", new { placeholder, id = officer.Id });
        await PlantReminderAsync(smsId, officer.Id, body, "planned", now);

        // The error queue as the operators see it (the in-memory bus parks faulted messages where its error queues API reads them).
        var errorQueue = $"{QueueNames.SendSms}{ErrorQueues.ErrorSuffix}";
        var parked = await SmsSteps.WaitForAsync(() => App.Services.GetRequiredService<ErrorQueues>().PeekAsync(errorQueue, CancellationToken.None),
            messages => messages.Any(m => m.MessageType?.Contains(nameof(SendSms), StringComparison.Ordinal) == true),
            $"The SendSms never reached {errorQueue}", seconds: 60);
        Assert.Contains("no_contact", Assert.Single(parked).ExceptionMessage);
        Assert.Empty(await App.QueryAsync<string>("messaging", "SELECT state FROM outbound_sms WHERE sms_id = @id", new { id = smsId.ToString() }));
        Assert.Empty(await App.QueryAsync<string>("attendance", "SELECT status FROM sms_ledger WHERE sms_id = @id", new { id = smsId.ToString() }));
        Assert.Equal("dispatched", (await PlannedAsync(smsId)).Single().Status);

        await App.ExecuteAsync("messaging", "UPDATE contacts SET officer_id = @id WHERE officer_id = @placeholder", new { placeholder, id = officer.Id });
        JumpClock(TimeSpan.FromMinutes(16));
        Assert.Equal("accepted", (await App.SettledAsync(smsId)).State);

        await SmsSteps.WaitForAsync(() => App.QueryAsync<string?>("attendance", "SELECT status FROM sms_ledger WHERE sms_id = @id", new { id = smsId.ToString() }),
            rows => rows is ["delivered"], $"The ledger never showed reminder {smsId} delivered");
        Assert.Equal(1L, (await PlannedAsync(smsId)).Single().RedispatchCount);
        Assert.Single(AtProvider(officer), m => m.Body == body);
    }

    [Fact]
    public async Task An_sms_Messaging_accepted_is_confirmed_without_being_sent_again_and_its_SendSms_coming_back_never_reaches_the_provider()
    {
        var officer = await EnrollAsync();
        var (smsId, body) = (Guid.CreateVersion7(), $"Recordatorio aceptado {Guid.NewGuid():N}");
        await PlantReminderAsync(smsId, officer.Id, body, "planned", App.StudyNow());
        Assert.Equal("accepted", (await App.SettledAsync(smsId)).State);

        JumpClock(TimeSpan.FromMinutes(16));
        var row = await SmsSteps.WaitForAsync(async () => (await PlannedAsync(smsId)).Single(), r => r.AnsweredState is not null,
            "The Scheduler never confirmed the reminder Messaging accepted", seconds: 20);
        Assert.Equal(("accepted", 0L), (row.AnsweredState, row.RedispatchCount));

        // The same SmsId once more, as a re-dispatch racing a slow first delivery would send it.
        var consumed = new SendSmsConsumed(smsId);
        using (App.Services.GetRequiredService<IBus>().ConnectConsumeObserver(consumed))
        {
            var endpoint = await App.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));
            await endpoint.Send(new SendSms(smsId, officer.Id, SmsPurposes.Reminder, body, App.StudyNow()));
            await consumed.Done.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }

        Assert.Single(AtProvider(officer), m => m.Body == body);
        Assert.Equal("accepted", (await App.SettledAsync(smsId)).State);
    }

    [Fact]
    public async Task Messaging_answers_the_states_of_the_sms_ids_it_received_and_leaves_out_the_others()
    {
        var officer = await EnrollAsync();
        var received = await App.SendSmsAsync(officer.Id, SmsPurposes.Reply, $"Estado {Guid.NewGuid():N}");
        await App.SettledAsync(received);
        var unknown = Guid.NewGuid();
        using var http = new HttpClient { BaseAddress = new Uri(App.Url()) };
        http.DefaultRequestHeaders.Add("X-Api-Key", App.ApiKey(Roles.Researcher));

        using var response = await http.PostAsJsonAsync("/api/messaging/sms/states", new SmsStatesRequest([received, unknown]));
        var states = await response.Content.ReadFromJsonAsync<List<SmsState>>(JsonSerializerOptions.Web);

        Assert.Equal((received, "accepted"), states!.Select(s => (s.SmsId, s.State)).Single());
        using var tooMany = await http.PostAsJsonAsync("/api/messaging/sms/states", new SmsStatesRequest(Enumerable.Range(0, 1001).Select(_ => Guid.NewGuid()).ToList()));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, tooMany.StatusCode);
        using var anonymous = new HttpClient { BaseAddress = new Uri(App.Url()) };
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/messaging/sms/states", new SmsStatesRequest([received]))).StatusCode);
    }

    /// <summary>Completes once Messaging has consumed a SendSms with the given id (successfully or not).</summary>
    sealed class SendSmsConsumed(Guid smsId) : IConsumeObserver
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.Message is SendSms sms && sms.SmsId == smsId) Done.TrySetResult();
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
        {
            if (context.Message is SendSms sms && sms.SmsId == smsId) Done.TrySetException(exception);
            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// A one-process host inside sending hours whose Scheduler looks for unanswered SMS every second and sends again after 15
/// minutes, and whose Messaging waits an hour for an officer's phone before refusing.
/// </summary>
public sealed class RedispatchHostFixture : IAsyncLifetime
{
    public StudyHost Host { get; } = new();

    public Task InitializeAsync()
    {
        var settings = StudyClockOptions.InsideSendingHours(ProtocolLoader.LoadDefault(), DateTimeOffset.UtcNow, TimeSpan.FromHours(3));
        settings["Scheduler:Dispatch:RedispatchIntervalSeconds"] = "1";
        settings["Scheduler:Dispatch:RedispatchAfterMinutes"] = "15";
        // A SendSms waiting for a phone Messaging has not learned is retried until the bus gives up, not refused first; two
        // retries (under a second) instead of ten (~2.5 minutes) bring it to the error queue sooner.
        settings["Messaging:ReplicaWaitSeconds"] = "3600";
        settings["Bus:RetryLimit"] = "2";
        return Host.StartAsync(settings);
    }

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Reminders.Testing.Chaos;

/// <summary>
/// The fault-injection run (issue 7): reminders fall due while service instances are killed and restarted, the broker
/// and the database restart, and the provider misbehaves; once the faults stop and the system settles, everything is
/// counted (<see cref="ChaosCounts"/>). Every fault is printed with its time; the seed reproduces the plan.
/// </summary>
public sealed class ChaosRun
{
    readonly ChaosOptions options;
    readonly TextWriter log;
    readonly Stopwatch clock = new();
    /// <summary>Instances being killed and restarted right now (by a planned fault or after they exited by themselves).</summary>
    readonly ConcurrentDictionary<string, bool> down = new();
    readonly ConcurrentQueue<string> unplannedExits = new();

    ChaosRun(ChaosOptions options, TextWriter log)
    {
        this.options = options;
        this.log = TextWriter.Synchronized(log);
    }

    public static Task<ChaosCounts> RunAsync(ChaosOptions options, TextWriter log) => new ChaosRun(options, log).RunAsync();

    void Say(string text) => log.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1} s] {text}");

    async Task<ChaosCounts> RunAsync()
    {
        var random = new Random(options.Seed);
        log.WriteLine($"chaos seed {options.Seed}: {options.Reminders:N0} reminders due over {options.DueSpread.TotalSeconds:F0} s, {options.ControlOfficers} control officers, " +
                      $"faults for {options.FaultWindow.TotalSeconds:F0} s (RabbitMQ restart {(options.RestartBroker ? "on" : "off")}, PostgreSQL restart {(options.RestartDatabase ? "on" : "off")})");
        await DevServices.EnsureUpAsync(log);
        ChaosSystem? system = null;
        var started = Stopwatch.StartNew();
        try
        {
            system = await ChaosSystem.StartAsync(options, log);
            log.WriteLine($"the system is up after {started.Elapsed.TotalSeconds:F0} s");
            var plan = ChaosPlan.Draw(options, [.. system.Instances.Keys], random);
            log.WriteLine("the plan (seconds after the start):");
            foreach (var action in plan) log.WriteLine($"  {action.At.TotalSeconds,6:F1} s  {action}");

            using var simulator = system.SimulatorHttp(TimeSpan.FromSeconds(30));
            await AddProviderFaultsAsync(simulator, random);
            ChaosCounts counts;
            var study = await ChaosStudy.SeedOfficersAsync(system.ConnectionString, options, options.StudyClock.GetUtcNow() + TimeSpan.FromSeconds(3));
            clock.Start();
            Say($"seeded; the first reminder is due in 3 s, the last at {(study.LastDueAt - options.StudyClock.GetUtcNow()).TotalSeconds:F0} s");

            using var stop = new CancellationTokenSource();
            var watchdog = WatchAsync(system, stop.Token);
            var progress = ReportAsync(system, simulator, stop.Token);
            try
            {
                var control = SendToControlAsync(system, study);
                await Task.WhenAll(plan.Select(action => RunAsync(action, system, simulator)).Append(control));
                Say("faults over: every instance is up again; the provider stops failing");
                var faultsApplied = (await simulator.GetFromJsonAsync<JsonElement>("/simulator/faults")).EnumerateArray()
                    .GroupBy(f => f.GetProperty("kind").GetString()!).ToDictionary(g => g.Key, g => g.Sum(f => f.GetProperty("applied").GetInt64()));
                (await simulator.DeleteAsync("/simulator/faults")).EnsureSuccessStatusCode();
                await SettleAsync(system, simulator, study);
                counts = await ChaosCounts.CountAsync(system, study, options.Seed, options.StudyClock.GetUtcNow(), faultsApplied);
            }
            finally
            {
                await stop.CancelAsync();
                await Task.WhenAll(watchdog, progress);
            }
            counts.Print(log);
            if (!unplannedExits.IsEmpty) log.WriteLine($"warning: instances that exited by themselves (restarted): {string.Join("; ", unplannedExits)}");
            log.WriteLine($"the run took {started.Elapsed.TotalMinutes:F1} minutes");
            if (!counts.Clean) log.WriteLine(system.Output(15));
            return counts;
        }
        catch (Exception ex)
        {
            log.WriteLine($"the run failed: {ex.Message}");
            if (system is not null) log.WriteLine(system.Output(40));
            throw;
        }
        finally
        {
            await DevServices.EnsureUpAsync(log);
            if (system is not null) await system.DisposeAsync();
        }
    }

    /// <summary>The provider's steady misbehaviour for the whole fault window, drawn from the run's seed.</summary>
    static async Task AddProviderFaultsAsync(HttpClient simulator, Random random)
    {
        var faults = new object[]
        {
            new { kind = "error429", probability = 0.03, seed = random.Next() },
            new { kind = "error500", probability = 0.02, seed = random.Next() },
            new { kind = "slow", probability = 0.02, delayMs = 1000, seed = random.Next() },
            // Held longer than Messaging's 2 s request timeout: the provider has the SMS, Messaging does not know.
            new { kind = "acceptThenTimeout", probability = 0.005, delayMs = 3000, seed = random.Next() },
            // The provider accepted, then a gateway in front of it answers 502; or it answers 2xx with a body nobody can read
            // (HTML, JSON cut short); or with a status Messaging does not know. Each is a send in doubt, looked up, never failed.
            new { kind = "acceptThenBadGateway", probability = 0.005, seed = random.Next() },
            new { kind = "acceptThenHtml", probability = 0.003, seed = random.Next() },
            new { kind = "acceptThenTruncatedJson", probability = 0.002, seed = random.Next() },
            new { kind = "unknownStatus", probability = 0.005, seed = random.Next() },
            new { kind = "callbacksOutOfOrder", probability = 0.02, seed = random.Next() },
            new { kind = "duplicateCallbacks", probability = 0.02, seed = random.Next() },
        };
        foreach (var fault in faults) (await simulator.PostAsJsonAsync("/simulator/faults", fault)).EnsureSuccessStatusCode();
    }

    async Task RunAsync(ChaosAction action, ChaosSystem system, HttpClient simulator)
    {
        var wait = action.At - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var took = Stopwatch.StartNew();
        switch (action)
        {
            case KillInstance kill:
                await KillAndRestartAsync(system, kill.Target, kill.DownFor, "kill");
                break;
            case KillMessagingInFlight inFlight:
                // The next sends are accepted and their answers held 1.5 s (under Messaging's 2 s timeout): kill while they are held.
                var response = await simulator.PostAsJsonAsync("/simulator/faults", new { kind = "acceptThenTimeout", count = 40, delayMs = 1500 });
                var rule = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
                await Task.Delay(800);
                var held = (await simulator.GetFromJsonAsync<JsonElement>("/simulator/faults")).EnumerateArray()
                    .Where(f => f.GetProperty("id").GetInt32() == rule).Select(f => f.GetProperty("applied").GetInt64()).DefaultIfEmpty(40).Single();
                await KillAndRestartAsync(system, inFlight.Target, inFlight.DownFor, $"provider holding the answers to {held} accepted sends (both Messaging instances): kill");
                break;
            case RefuseCredentials refuse:
                Say($"the provider refuses Messaging's credentials for {refuse.For.TotalSeconds:F0} s (401/20003)");
                (await simulator.PostAsJsonAsync("/simulator/faults", new { kind = "credentialsRefused", forMs = (int)refuse.For.TotalMilliseconds }))
                    .EnsureSuccessStatusCode();
                break;
            case RestartBroker:
                Say("restart RabbitMQ (stop_app, start_app)");
                await DevServices.RestartRabbitMqAsync();
                Say($"RabbitMQ back after {took.Elapsed.TotalSeconds:F1} s");
                break;
            case RestartDatabase:
                Say("restart PostgreSQL (pg_ctlcluster restart -m fast)");
                await DevServices.RestartPostgresAsync();
                Say($"PostgreSQL back after {took.Elapsed.TotalSeconds:F1} s");
                break;
        }
    }

    async Task KillAndRestartAsync(ChaosSystem system, string name, TimeSpan downFor, string what)
    {
        // An instance still coming back from an earlier fault is killed once it is up again.
        while (!down.TryAdd(name, true)) await Task.Delay(250);
        try
        {
            var process = system.Instances[name];
            Say($"{what} {name} (pid {process.ProcessId}, SIGKILL)");
            process.Kill();
            await Task.Delay(downFor);
            var restart = Stopwatch.StartNew();
            Say($"restart {name}");
            await ChaosSystem.RestartAsync(process);
            Say($"{name} ready again (pid {process.ProcessId}) in {restart.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            down.TryRemove(name, out _);
        }
    }

    /// <summary>An instance that exits when nobody killed it (a crash on a broker or database outage) is restarted and reported.</summary>
    async Task WatchAsync(ChaosSystem system, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            foreach (var (name, process) in system.Instances)
            {
                if (!process.HasExited || !down.TryAdd(name, true)) continue;
                try
                {
                    var lastLines = string.Join(" | ", process.Output.TakeLast(3));
                    unplannedExits.Enqueue($"{name} at {clock.Elapsed.TotalSeconds:F0} s");
                    Say($"{name} exited by itself; restarting it. Its last lines: {lastLines}");
                    await ChaosSystem.RestartAsync(process);
                    Say($"{name} ready again (pid {process.ProcessId})");
                }
                finally
                {
                    down.TryRemove(name, out _);
                }
            }
            try { await Task.Delay(1000, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    async Task SendToControlAsync(ChaosSystem system, ChaosStudy study)
    {
        await Task.Delay(options.DueSpread / 2);
        // PostgreSQL may be restarting right now: try again (rows written twice would only be the same SendSms twice).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await study.SendToControlAsync(system.ConnectionString, options);
                break;
            }
            catch (NpgsqlException ex) when (attempt < 30)
            {
                Say($"writing the control SendSms failed ({ex.Message}); again in 2 s");
                await Task.Delay(2000);
            }
        }
        Say($"{study.ControlSendSms.Count} SendSms for control officers put on the bus by hand (through the Scheduler's outbox)");
    }

    async Task ReportAsync(ChaosSystem system, HttpClient simulator, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(15), ct);
                var snapshot = await SnapshotAsync(system, simulator);
                Say($"progress: {snapshot}{(down.IsEmpty ? "" : $"; down: {string.Join(", ", down.Keys.Order())}")}");
            }
            catch (OperationCanceledException) { return; }
            catch (Exception ex) when (ex is NpgsqlException or HttpRequestException or TaskCanceledException or TimeoutException)
            {
                Say($"progress: not readable now ({ex.GetType().Name})");
            }
        }
    }

    /// <summary>Waits until every count has reached its end state and stayed there, or until nothing changes for long, or the bound.</summary>
    async Task SettleAsync(ChaosSystem system, HttpClient simulator, ChaosStudy study)
    {
        var (quiet, giveUp) = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(150));
        var bound = Stopwatch.StartNew();
        var unchanged = Stopwatch.StartNew();
        Snapshot? last = null;
        while (true)
        {
            Snapshot snapshot;
            try { snapshot = await SnapshotAsync(system, simulator); }
            catch (Exception ex) when (ex is NpgsqlException or HttpRequestException or TaskCanceledException or TimeoutException)
            {
                await Task.Delay(2000);
                continue;
            }
            if (snapshot != last)
            {
                last = snapshot;
                unchanged.Restart();
            }
            if (snapshot.Finished(study.TreatmentReminders.Count) && unchanged.Elapsed >= quiet)
            {
                Say($"settled after {bound.Elapsed.TotalSeconds:F0} s: {snapshot}");
                return;
            }
            if (unchanged.Elapsed >= giveUp)
            {
                Say($"nothing changed for {giveUp.TotalSeconds:F0} s, though not everything is settled: counting as it stands. {snapshot}");
                return;
            }
            if (bound.Elapsed >= options.SettleBound)
            {
                Say($"not settled within {options.SettleBound.TotalMinutes:F0} minutes: counting as it stands. {snapshot}");
                return;
            }
            await Task.Delay(2000);
        }
    }

    /// <summary>The numbers that move while the system works; all of them at their end state means there is nothing left to do.</summary>
    sealed record Snapshot(long ProviderAccepted, long ProviderFinal, long LedgerAccepted, long LedgerFinal, long PlannedDue, long Unsettled,
        long AwaitingReceipt, long Outbox, long Queued)
    {
        public bool Finished(int due) => ProviderAccepted >= due && ProviderFinal == ProviderAccepted && LedgerAccepted == ProviderAccepted
            && LedgerFinal == ProviderAccepted && PlannedDue == 0 && Unsettled == 0 && AwaitingReceipt == 0 && Outbox == 0 && Queued == 0;

        public override string ToString() =>
            $"provider accepted {ProviderAccepted:N0} (final {ProviderFinal:N0}); ledger accepted {LedgerAccepted:N0} (final {LedgerFinal:N0}); " +
            $"due still planned {PlannedDue:N0}; sends unsettled {Unsettled:N0}, awaiting a receipt {AwaitingReceipt:N0}; outbox {Outbox:N0}; queued {Queued:N0}";
    }

    async Task<Snapshot> SnapshotAsync(ChaosSystem system, HttpClient simulator)
    {
        var stats = await simulator.GetFromJsonAsync<JsonElement>("/simulator/stats");
        var byStatus = stats.GetProperty("byStatus").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        await using var connection = new NpgsqlConnection(system.Database.ConnectionString);
        await connection.OpenAsync();
        var now = options.StudyClock.GetUtcNow();
        var outbox = 0L;
        foreach (var schema in ChaosSystem.ServiceNames.Select(s => s.ToLowerInvariant()))
            outbox += await ChaosCounts.ScalarAsync(connection, $"SELECT COUNT(*) FROM {schema}.outbox_messages");
        var queues = await RabbitMqManagement.QueueDepthsAsync(system.VirtualHost.Name);
        return new Snapshot(
            stats.GetProperty("accepted").GetInt64(),
            byStatus.Where(s => s.Key is "delivered" or "undelivered" or "failed").Sum(s => s.Value),
            await ChaosCounts.ScalarAsync(connection, "SELECT COUNT(*) FROM attendance.sms_ledger WHERE accepted"),
            await ChaosCounts.ScalarAsync(connection, "SELECT COUNT(*) FROM attendance.sms_ledger WHERE accepted AND status IN ('delivered', 'undelivered', 'failed')"),
            await ChaosCounts.ScalarAsync(connection, "SELECT COUNT(*) FROM scheduler.planned_sms WHERE status = 'planned' AND due_at <= @now", now),
            await ChaosCounts.ScalarAsync(connection, "SELECT COUNT(*) FROM messaging.outbound_sms WHERE state IN ('new', 'sending', 'retrying')"),
            await ChaosCounts.ScalarAsync(connection, "SELECT COUNT(*) FROM messaging.outbound_sms WHERE state = 'accepted' AND COALESCE(status, '') NOT IN ('delivered', 'undelivered', 'failed')"),
            outbox,
            queues.Where(q => !q.Key.EndsWith("_error", StringComparison.Ordinal) && !q.Key.EndsWith("_skipped", StringComparison.Ordinal)).Sum(q => q.Value));
    }
}

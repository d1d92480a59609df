using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Npgsql;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.Testing;

namespace Reminders.Benchmarks;

/// <summary>
/// Reminder delivery in distributed mode: the four services as processes over RabbitMQ and PostgreSQL, the provider
/// simulator as a fifth. (1) N reminders all due at once, from due to the provider's acceptance and to "delivered" in
/// the dosage ledger, beside the raw MassTransit publish→consume rate measured on the same broker in the same run.
/// (2) A sender the provider limits to 50 SMS a second, for 60 s: the rate achieved and the busiest one-second window.
/// Officers, arms and contacts are written straight into the services' replica tables, and the due reminders straight
/// into the Scheduler's plan, so the run measures delivery, not enrollment.
/// </summary>
public static class DeliveryBenchmarks
{
    const string AccountSid = "ACbench00000000000000000000000000";
    const string AuthToken = "bench-fake-auth-token";
    const string SimulatorKey = "bench-fake-simulator-key";
    const string ManagerKey = "bench-manager-key";

    /// <summary>
    /// Sent through fresh processes before a measured run, and not measured: for the first tens of seconds the JIT recompiles
    /// the hot paths (a quarter of all CPU in a cold 20,000-SMS burst), a cost a service that runs for weeks pays once. The
    /// baselines are warmed the same way.
    /// </summary>
    const int Warmup = 5_000;

    public static async Task RunAsync(BenchmarkTable table, TextWriter log, int reminders, bool burst = true, bool rateLimited = true)
    {
        if (burst)
        {
            await BurstAsync(table, log, reminders);
            await SpreadAsync(table, log);
        }
        if (rateLimited) await RateLimitedAsync(table, log);
    }

    static async Task BurstAsync(BenchmarkTable table, TextWriter log, int reminders)
    {
        var raw = await RawBusRateAsync(log, messages: 50_000, warmup: Warmup);
        var provider = await ProviderRoundTrip.RateAsync(log, messages: 20_000, AccountSid, AuthToken, warmup: Warmup);

        var burst = await DeliverAsync(log, reminders, providerRate: 0, warmup: Warmup);
        var accepted = reminders / (burst.AcceptedAt.Max() - burst.DueAt).TotalSeconds;
        var endToEnd = reminders / burst.LedgerAfter.TotalSeconds;
        var ratio = endToEnd / provider.Rate;
        var lateness = burst.LatenessMilliseconds;
        log.WriteLine($"delivery: {reminders:N0} due at once → accepted at {accepted:F0}/s, in the ledger at {endToEnd:F0}/s; " +
                      $"lateness p50 {Percentile(lateness, 0.5) / 1000:F1} s, p99 {Percentile(lateness, 0.99) / 1000:F1} s");
        log.WriteLine($"end-to-end / provider round trip: {ratio:F2}");
        log.WriteLine($"  {burst.Counters.Describe(reminders)}");
        table.Add($"{reminders:N0} due reminders, due → provider acceptance → delivered in the ledger (4 services + simulator, RabbitMQ, PostgreSQL)",
            "≥ 0.4 × the provider round trip", $"{endToEnd:F0} SMS/s end to end ({accepted:F0}/s accepted), {ratio:F2} × the provider round trip",
            $"the provider's round trip alone (SDK create + 2 signed callbacks, no bus, no database) {provider.Rate:F0} SMS/s at {provider.CpuMilliseconds:F2} ms CPU per SMS; " +
            $"raw MassTransit publish→consume {raw.Rate:F0} msg/s at {raw.CpuMilliseconds:F2} ms CPU per message",
            ratio >= 0.4);
        var cpuTotal = burst.CpuMilliseconds(reminders);
        var cpuWithoutSimulator = burst.CpuMilliseconds(reminders, withoutSimulator: true);
        table.Add($"CPU per SMS over every process, same run", "≤ 1.7 ms in total, ≤ 1.2 ms without the simulator",
            $"{cpuTotal:F2} ms in total, {cpuWithoutSimulator:F2} ms without the simulator ({burst.CpuPerProcess(reminders)})",
            $"the provider round trip alone: {provider.CpuMilliseconds:F2} ms per SMS", cpuTotal <= 1.7 && cpuWithoutSimulator <= 1.2);
        var counters = burst.Counters;
        table.Add("database round trips and bus deliveries per SMS, same run", "≤ 1.5 round trips, ≤ 1.2 deliveries",
            $"{counters.Per(counters.RoundTrips, reminders):F1} round trips ({counters.Per(counters.Commits, reminders):F1} commits), " +
            $"{counters.Per(counters.Delivered, reminders):F1} deliveries ({counters.Per(counters.Published, reminders):F1} publishes), " +
            $"{counters.Per(counters.HttpServed + counters.ProviderRequests, reminders):F1} HTTP calls",
            "—", counters.Per(counters.RoundTrips, reminders) <= 1.5 && counters.Per(counters.Delivered, reminders) <= 1.2);

        const double memoryTargetMegabytes = 250;
        var services = burst.ResidentMegabytes.Where(r => r.Key is "Enrollment" or "Scheduler" or "Messaging" or "Attendance").ToList();
        table.Add($"resident memory of each service at the end of the {reminders:N0}-reminder run", $"< {memoryTargetMegabytes:F0} MB each",
            string.Join(", ", burst.ResidentMegabytes.Where(r => r.Key is not ("RabbitMQ" or "PostgreSQL")).Select(r => $"{r.Key} {r.Value:F0} MB")), "—",
            services.Count == 4 && services.All(r => r.Value < memoryTargetMegabytes));
    }

    /// <summary>20,000 reminders falling due evenly over two minutes: how late each reached the provider after its own due time.</summary>
    static async Task SpreadAsync(BenchmarkTable table, TextWriter log)
    {
        const int reminders = 20_000;
        var spread = TimeSpan.FromMinutes(2);
        var run = await DeliverAsync(log, reminders, providerRate: 0, spread, Warmup);
        var lateness = run.LatenessMilliseconds;
        var (p50, p99, max) = (Percentile(lateness, 0.5) / 1000, Percentile(lateness, 0.99) / 1000, lateness[^1] / 1000);
        log.WriteLine($"spread: {reminders:N0} due over {spread.TotalMinutes:F0} minutes, lateness p50 {p50:F2} s, p99 {p99:F2} s, max {max:F2} s");
        table.Add($"{reminders:N0} reminders falling due evenly over {spread.TotalMinutes:F0} minutes: due → provider acceptance", "lateness p99 ≤ 2 s",
            $"p50 {p50:F2} s, p99 {p99:F2} s, max {max:F2} s", "—", p99 <= 2);
    }

    static async Task RateLimitedAsync(BenchmarkTable table, TextWriter log)
    {
        const int perSecond = 50, seconds = 60;
        var limited = await DeliverAsync(log, perSecond * seconds, providerRate: perSecond);
        var times = limited.AcceptedAt.Order().ToList();
        var achieved = (times.Count - 1) / (times[^1] - times[0]).TotalSeconds;
        var busiest = BusiestSecond(times);
        log.WriteLine($"rate limit: {times.Count:N0} SMS at {achieved:F2}/s, busiest one-second window {busiest}");
        table.Add($"one sender limited to {perSecond} SMS/s at the provider, {seconds} s of sends", $"within 2 % of {perSecond}/s, never above {perSecond} in any second",
            $"{achieved:F2}/s, busiest one-second window {busiest}", $"the provider's limit: {perSecond}/s",
            Math.Abs(achieved - perSecond) <= perSecond * 0.02 && busiest <= perSecond);
    }

    /// <param name="LatenessMilliseconds">Each SMS's acceptance at the provider after its own due time, sorted.</param>
    /// <param name="CpuSeconds">CPU each process group used from due to the last delivery in the ledger.</param>
    /// <param name="ResidentMegabytes">Each process group's resident memory at the end.</param>
    /// <param name="Counters">Commits, round trips, bus messages, HTTP calls and batches over the same span.</param>
    sealed record DeliveryRun(DateTimeOffset DueAt, IReadOnlyList<DateTimeOffset> AcceptedAt, IReadOnlyList<double> LatenessMilliseconds, TimeSpan LedgerAfter,
        IReadOnlyDictionary<string, double> CpuSeconds, IReadOnlyDictionary<string, double> ResidentMegabytes, DeliveryCounters Counters)
    {
        public double CpuMilliseconds(int count, bool withoutSimulator = false) =>
            CpuSeconds.Where(c => !withoutSimulator || c.Key != "ProviderSimulator").Sum(c => c.Value) * 1000 / count;

        public string CpuPerProcess(int count) => string.Join(", ", CpuSeconds.Select(c => $"{c.Key} {c.Value * 1000 / count:F2}"));
    }

    /// <summary>
    /// Starts the system, seeds <paramref name="count"/> officers and one reminder each, due at once or evenly over
    /// <paramref name="spread"/>, and waits until the ledger has them all delivered; first, <paramref name="warmup"/> more,
    /// due at once and not measured.
    /// </summary>
    static async Task<DeliveryRun> DeliverAsync(TextWriter log, int count, int providerRate, TimeSpan spread = default, int warmup = 0)
    {
        await using var database = await TestDatabase.CreateAsync("bench");
        await using var vhost = await TestVirtualHost.CreateAsync("bench");
        var protocol = ProtocolLoader.LoadDefault();
        var clockSettings = StudyClockOptions.InsideSendingHours(protocol, DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
        var clock = StudyClock.FromSettings(clockSettings);

        var messagingPort = ServiceProcess.FreePort();
        var processes = new List<ServiceProcess>();
        try
        {
            var simulator = new ServiceProcess("ProviderSimulator", new Dictionary<string, string?>(clockSettings)
            {
                ["Simulator:AccountSid"] = AccountSid,
                ["Simulator:AuthToken"] = AuthToken,
                ["Simulator:ControlKey"] = SimulatorKey,
                ["Simulator:InboundWebhookUrl"] = $"http://127.0.0.1:{messagingPort}/api/messaging/webhooks/twilio/inbound",
                ["Simulator:MessagesPerSecondPerSender"] = providerRate.ToString(CultureInfo.InvariantCulture),
                ["Simulator:CallbackConcurrency"] = "32",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            processes.Add(simulator);
            simulator.Start();
            var common = new Dictionary<string, string?>(vhost.BusSettings().Concat(clockSettings))
            {
                ["Database:Provider"] = "Postgres",
                ["Database:Postgres"] = database.ConnectionString,
                ["Auth:ApiKeys:0:Name"] = "bench", ["Auth:ApiKeys:0:Key"] = ManagerKey, ["Auth:ApiKeys:0:Roles:0"] = "manager",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            string[] services = ["Enrollment", "Scheduler", "Messaging", "Attendance"];
            await ServiceProcess.DeployTopologyAsync(common, services);
            foreach (var service in services)
            {
                var settings = new Dictionary<string, string?>(common);
                if (service == "Messaging")
                {
                    settings["Messaging:PublicBaseUrl"] = $"http://127.0.0.1:{messagingPort}";
                    settings["Messaging:Twilio:AccountSid"] = AccountSid;
                    settings["Messaging:Twilio:AuthToken"] = AuthToken;
                    settings["Messaging:Twilio:BaseUrl"] = simulator.Url;
                    settings["Messaging:Twilio:From"] = "+15005550006";
                    // Configured 1 % under the provider's limit, as the README advises (less brings more 429s, each a lost slot).
                    settings["Messaging:Twilio:MessagesPerSecondPerSender"] = (providerRate * 0.99).ToString(CultureInfo.InvariantCulture);
                }
                var process = new ServiceProcess(service, settings, service == "Messaging" ? messagingPort : null);
                processes.Add(process);
                process.Start();
            }
            await Task.WhenAll(processes.Select(p => p.WaitReadyAsync(TimeSpan.FromSeconds(120), p == simulator ? "/health/live" : "/health/ready")));

            var officers = await SeedAsync(database.ConnectionString, warmup + count, clock);
            var cpu = new ProcessCpu();
            foreach (var process in processes) cpu.Add(process.Project, () => process.ProcessId is { } pid ? [pid] : []);
            cpu.AddByName("RabbitMQ", "beam.smp").AddByName("PostgreSQL", "postgres");
            using var simulatorControl = new HttpClient { BaseAddress = new Uri(simulator.Url), Timeout = TimeSpan.FromMinutes(2) };
            simulatorControl.DefaultRequestHeaders.Add("X-Simulator-Key", SimulatorKey);
            async Task<long> ProviderRequestsAsync()
            {
                var stats = await simulatorControl.GetFromJsonAsync<JsonElement>("/simulator/stats");
                return stats.GetProperty("accepted").GetInt64() + stats.GetProperty("rejectedTotal").GetInt64();
            }
            var serviceUrls = processes.Where(p => p != simulator).Select(p => p.Url).ToList();
            Task<DeliveryCounters> CountersAsync() => DeliveryCounters.ReadAsync(database.ConnectionString, vhost, serviceUrls, ManagerKey, ProviderRequestsAsync);

            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            async Task WaitDeliveredAsync(long target, Stopwatch stopwatch)
            {
                var lastReport = Stopwatch.StartNew();
                var giveUpAfter = TimeSpan.FromSeconds(Math.Max(1200, target / 30.0));
                while (true)
                {
                    await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM attendance.sms_ledger WHERE status = 'delivered'", connection);
                    var delivered = (long)(await command.ExecuteScalarAsync())!;
                    if (delivered >= target) return;
                    if (lastReport.Elapsed > TimeSpan.FromSeconds(target > 20_000 ? 60 : 10))
                    {
                        log.WriteLine($"  {stopwatch.Elapsed.TotalSeconds:F0} s: {delivered:N0} of {target:N0} delivered in the ledger");
                        lastReport.Restart();
                    }
                    if (stopwatch.Elapsed > giveUpAfter) throw new TimeoutException($"Only {delivered:N0} of {target:N0} delivered after {giveUpAfter.TotalMinutes:F0} minutes.");
                    // The count is a scan of the ledger: polled often, it would cost PostgreSQL a visible share of the CPU measured.
                    await Task.Delay(target > 10_000 ? 1000 : 250);
                }
            }

            if (warmup > 0)
            {
                var warmCpuBefore = cpu.Snapshot();
                var warmStopwatch = Stopwatch.StartNew();
                var warmDue = clock.GetUtcNow();
                await PlanDueRemindersAsync(database.ConnectionString, officers[..warmup], protocol, [.. Enumerable.Repeat(warmDue, warmup)]);
                await WaitDeliveredAsync(warmup, warmStopwatch);
                var warmCpu = ProcessCpu.Between(warmCpuBefore, cpu.Snapshot()).Sum(c => c.Value) * 1000 / warmup;
                log.WriteLine($"  warm-up on the fresh processes, not measured: {warmup:N0} due at once, in the ledger at {warmup / warmStopwatch.Elapsed.TotalSeconds:F0}/s, " +
                              $"{warmCpu:F2} ms CPU per SMS");
                // The JIT recompiles what the warm-up ran in the background, hot methods twice (instrumented, then optimized with
                // what the instrumentation saw); on two shared cores that queue takes seconds to drain.
                await Task.Delay(TimeSpan.FromSeconds(15));
            }

            var measured = officers[warmup..];
            var countersBefore = await CountersAsync();
            var cpuBefore = cpu.Snapshot();
            var dueAt = clock.GetUtcNow();
            var stopwatch = Stopwatch.StartNew();
            var dueTimes = measured.Select((_, i) => dueAt + spread * i / count).ToArray();
            await PlanDueRemindersAsync(database.ConnectionString, measured, protocol, dueTimes);
            await WaitDeliveredAsync(warmup + count, stopwatch);
            var ledgerAfter = stopwatch.Elapsed;
            var cpuUsed = ProcessCpu.Between(cpuBefore, cpu.Snapshot());
            var resident = cpu.ResidentMegabytes();
            // PostgreSQL's backends flush their statistics when idle for 10 s at the latest, RabbitMQ's every 5 s.
            await Task.Delay(TimeSpan.FromSeconds(11));
            var counters = (await CountersAsync()).Minus(countersBefore);

            var dueByPhone = PhonesOf(warmup + count).Skip(warmup).Select((phone, i) => (phone, i)).ToDictionary(p => p.phone, p => dueTimes[p.i]);
            var messages = (await simulatorControl.GetFromJsonAsync<List<JsonElement>>("/simulator/messages"))!
                .Where(m => dueByPhone.ContainsKey(m.GetProperty("to").GetString()!)).ToList();
            var acceptedAt = messages.Select(m => m.GetProperty("acceptedAt").GetDateTimeOffset()).ToList();
            var lateness = messages.Select(m => (m.GetProperty("acceptedAt").GetDateTimeOffset() - dueByPhone[m.GetProperty("to").GetString()!]).TotalMilliseconds)
                .Order().ToList();
            var stats = await simulatorControl.GetFromJsonAsync<JsonElement>("/simulator/stats");
            log.WriteLine($"  the provider accepted {stats.GetProperty("accepted")} and refused {stats.GetProperty("rejectedTotal")} (retried){(warmup > 0 ? ", the warm-up's included" : "")}");
            if (acceptedAt.Count != count) throw new InvalidOperationException($"The provider accepted {acceptedAt.Count:N0} SMS for {count:N0} reminders.");
            var run = new DeliveryRun(dueAt, acceptedAt, lateness, ledgerAfter, cpuUsed, resident, counters);
            // PostgreSQL's processes share their buffers, so their summed resident size means nothing: services and broker only.
            log.WriteLine($"  {run.CpuMilliseconds(count):F2} ms CPU per SMS ({run.CpuPerProcess(count)}), {run.CpuMilliseconds(count, withoutSimulator: true):F2} ms without the simulator; " +
                          $"resident memory at the end: {string.Join(", ", resident.Where(r => r.Key != "PostgreSQL").Select(r => $"{r.Key} {r.Value:F0} MB"))}");
            return run;
        }
        finally
        {
            foreach (var process in processes) await process.DisposeAsync();
        }
    }

    /// <summary>The phone of the i-th seeded officer.</summary>
    static string[] PhonesOf(int count) => Enumerable.Range(0, count).Select(i => $"+52551{i:D7}").ToArray();

    /// <summary>Treatment sectors, their officers with a phone each, in the Scheduler's and Messaging's replicas.</summary>
    static async Task<Guid[]> SeedAsync(string connectionString, int count, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var sectors = Enumerable.Range(0, Math.Max(1, count / 100)).Select(_ => Guid.CreateVersion7()).ToArray();
        var officers = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToArray();
        var officerSectors = officers.Select((_, i) => sectors[i % sectors.Length]).ToArray();
        var phones = PhonesOf(count);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        async Task RunAsync(string sql, params object[] parameters)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
            for (var i = 0; i < parameters.Length; i++) command.Parameters.AddWithValue($"p{i}", parameters[i]);
            await command.ExecuteNonQueryAsync();
        }
        var randomization = Guid.CreateVersion7();
        await RunAsync("INSERT INTO scheduler.sector_arms (sector_id, arm, randomization_id) SELECT s, 'treatment', @p1 FROM unnest(@p0) s", sectors, randomization);
        await RunAsync("INSERT INTO messaging.sector_arms (sector_id, arm) SELECT s, 'treatment' FROM unnest(@p0) s", sectors);
        await RunAsync("INSERT INTO scheduler.officers (officer_id, sector_id, role, enrolled_at) SELECT o, s, 'officer', @p2 FROM unnest(@p0, @p1) AS t(o, s)",
            officers, officerSectors, now);
        await RunAsync("INSERT INTO messaging.officers (officer_id, sector_id, sector_changed_at, role) SELECT o, s, @p2, 'officer' FROM unnest(@p0, @p1) AS t(o, s)",
            officers, officerSectors, now);
        await RunAsync("INSERT INTO messaging.contacts (officer_id, phone_e164, updated_at) SELECT o, p, @p2 FROM unnest(@p0, @p1) AS t(o, p)",
            officers, phones, now);
        // The arm of randomization and consent, as Enrollment's events leave them.
        foreach (var schema in new[] { "scheduler", "messaging" })
        {
            await RunAsync($"""
                INSERT INTO {schema}.officer_arms (officer_id, arm, sector_id, randomization_id, enrolled_after_randomization, assigned_at)
                SELECT o, 'treatment', s, @p2, false, @p3 FROM unnest(@p0, @p1) AS t(o, s)
                """, officers, officerSectors, randomization, now);
            await RunAsync($"INSERT INTO {schema}.officer_consents (officer_id, consent, changed_at) SELECT o, true, @p1 FROM unnest(@p0) o", officers, now);
        }
        return officers;
    }

    /// <summary>Reminder 1 of every seeded officer, due at its own time in <paramref name="dueTimes"/>, as the Scheduler plans them.</summary>
    static async Task PlanDueRemindersAsync(string connectionString, Guid[] officers, StudyProtocol protocol, DateTimeOffset[] dueTimes)
    {
        var body = protocol.Reminders!.Schedule[0].Template.Officer.Render();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO scheduler.planned_sms (sms_id, officer_id, purpose, kind, reminder_number, body, due_at, window_ends_at, protocol_version, status, planned_by, planned_at)
            SELECT gen_random_uuid(), o, 'reminder', 'reminder', 1, @body, d, d + interval '1 day', @version, 'planned', 'benchmark', @planned FROM unnest(@officers, @due) AS t(o, d)
            """, connection);
        command.Parameters.AddWithValue("body", body);
        command.Parameters.AddWithValue("planned", dueTimes[0]);
        command.Parameters.AddWithValue("due", dueTimes);
        command.Parameters.AddWithValue("version", protocol.Version);
        command.Parameters.AddWithValue("officers", officers);
        await command.ExecuteNonQueryAsync();
    }

    public sealed record Ping(int Number);

    sealed class PingConsumer(Counter counter) : IConsumer<Ping>
    {
        public Task Consume(ConsumeContext<Ping> context)
        {
            counter.Received();
            return Task.CompletedTask;
        }
    }

    /// <summary>Counts the pings received until a round's last one.</summary>
    sealed class Counter
    {
        int received, expected;
        TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once <paramref name="count"/> more pings have been received.</summary>
        public Task ExpectAsync(int count)
        {
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref expected, Volatile.Read(ref received) + count);
            return done.Task;
        }

        public void Received()
        {
            if (Interlocked.Increment(ref received) == Volatile.Read(ref expected)) done.TrySetResult();
        }
    }

    /// <summary>MassTransit alone on the same broker: concurrent publishes (confirms on) to a quorum queue, one consumer endpoint.</summary>
    static async Task<Baseline> RawBusRateAsync(TextWriter log, int messages, int warmup)
    {
        await using var vhost = await TestVirtualHost.CreateAsync("bench-raw");
        var counter = new Counter();
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(vhost.Host, (ushort)vhost.Port, vhost.Name, h =>
            {
                h.Username(vhost.User);
                h.Password(vhost.Password);
                h.PublisherConfirmation = true;
            });
            cfg.ReceiveEndpoint("bench-ping", e =>
            {
                e.SetQuorumQueue();
                e.PrefetchCount = 64;
                e.Consumer(() => new PingConsumer(counter));
            });
        });
        await bus.StartAsync();
        try
        {
            var cpu = new ProcessCpu().AddSelf().AddByName("RabbitMQ", "beam.smp");
            async Task RoundAsync(int count)
            {
                var received = counter.ExpectAsync(count);
                foreach (var chunk in Enumerable.Range(0, count).Chunk(500))
                    await Task.WhenAll(chunk.Select(i => bus.Publish(new Ping(i))));
                await received.WaitAsync(TimeSpan.FromMinutes(5));
            }
            if (warmup > 0) await RoundAsync(warmup);
            var cpuBefore = cpu.Snapshot();
            var stopwatch = Stopwatch.StartNew();
            await RoundAsync(messages);
            var rate = messages / stopwatch.Elapsed.TotalSeconds;
            var cpuMilliseconds = ProcessCpu.MillisecondsPer(messages, cpuBefore, cpu.Snapshot());
            log.WriteLine($"raw bus: {messages:N0} published and consumed in {stopwatch.Elapsed.TotalSeconds:F1} s = {rate:F0}/s (after {warmup:N0} not measured), " +
                          $"{cpuMilliseconds:F2} ms CPU per message (this process and RabbitMQ)");
            return new Baseline(rate, cpuMilliseconds);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    static double Percentile(IReadOnlyList<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(p * sorted.Count))];

    /// <summary>The most acceptances in any window [t, t + 1 s) that starts at an acceptance.</summary>
    static int BusiestSecond(IReadOnlyList<DateTimeOffset> sorted)
    {
        var (best, start) = (0, 0);
        for (var end = 0; end < sorted.Count; end++)
        {
            while (sorted[end] - sorted[start] >= TimeSpan.FromSeconds(1)) start++;
            best = Math.Max(best, end - start + 1);
        }
        return best;
    }
}

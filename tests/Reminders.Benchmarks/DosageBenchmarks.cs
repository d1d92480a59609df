using System.Diagnostics;
using Npgsql;
using Reminders.Testing;

namespace Reminders.Benchmarks;

/// <summary>
/// The researcher's export at city scale: 100,000 officers (three sectors in four treated) with 600,000 SMS in the
/// ledger (six reminders and two logistics SMS per treated officer), written straight into Attendance's tables on
/// PostgreSQL (not timed). Measured through the Attendance service as its own process: the whole dosage.csv, and
/// 1,000 single-officer dosage reads.
/// </summary>
public static class DosageBenchmarks
{
    const int Sectors = 1_000, Reads = 1_000;
    const string ResearcherKey = "bench-researcher-key";

    /// <summary><paramref name="officers"/>: 100,000 for the figure; fewer for a quick check of the benchmark itself.</summary>
    public static async Task RunAsync(BenchmarkTable table, TextWriter log, int officers = 100_000)
    {
        await using var database = await TestDatabase.CreateAsync("bench_dosage");
        await using var attendance = new ServiceProcess("Attendance", new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["Database:Postgres"] = database.ConnectionString,
            // One process: the in-memory bus, no broker needed (no events flow during the run).
            ["Bus:Transport"] = "InMemory",
            ["Auth:ApiKeys:0:Name"] = "bench", ["Auth:ApiKeys:0:Key"] = ResearcherKey, ["Auth:ApiKeys:0:Roles:0"] = "researcher",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        attendance.Start();
        await attendance.WaitReadyAsync(TimeSpan.FromSeconds(120));

        var seeding = Stopwatch.StartNew();
        var messages = await SeedAsync(database.ConnectionString, officers);
        log.WriteLine($"dosage: seeded {officers:N0} officers and {messages:N0} SMS in {seeding.Elapsed.TotalSeconds:F1} s (not measured)");

        using var http = new HttpClient { BaseAddress = new Uri(attendance.Url), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-Api-Key", ResearcherKey);
        long bytes = 0, lines = 0;
        var export = await BenchmarkTable.MedianAsync(3, async () =>
        {
            using var response = await http.GetAsync("/api/attendance/dosage.csv", HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[1 << 16];
            (bytes, lines) = (0, 0);
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                bytes += read;
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        });
        if (lines != officers + 1) throw new InvalidOperationException($"dosage.csv had {lines:N0} lines for {officers:N0} officers.");
        log.WriteLine($"dosage: dosage.csv of {officers:N0} officers ({bytes / 1e6:F0} MB) in {export.TotalSeconds:F2} s (median of 3)");
        table.Add($"dosage.csv of {officers:N0} officers with {messages:N0} SMS in the ledger, through GET /api/attendance/dosage.csv (Attendance process, PostgreSQL)",
            "< 3 s", $"{export.TotalSeconds:F2} s ({bytes / 1e6:F0} MB, median of 3)", "—", export < TimeSpan.FromSeconds(3));

        var random = new Random(20270101);
        var times = new List<double>(Reads);
        for (var i = -50; i < Reads; i++)
        {
            var officer = OfficerId(random.Next(officers));
            var stopwatch = Stopwatch.StartNew();
            using var response = await http.GetAsync($"/api/attendance/dosage/officers/{officer}");
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
            if (i >= 0) times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        var (p50, p95) = (times[times.Count / 2], times[(int)(times.Count * 0.95)]);
        log.WriteLine($"dosage: {Reads:N0} single-officer reads, p50 {p50:F1} ms, p95 {p95:F1} ms");
        table.Add($"one officer's dose, GET /api/attendance/dosage/officers/{{id}}, {Reads:N0} random officers of {officers:N0}", "p95 < 20 ms",
            $"p50 {p50:F1} ms, p95 {p95:F1} ms", "—", p95 < 20);
    }

    /// <summary>The officer id the seed gives officer number <paramref name="i"/> (md5 of its number, as the SQL below).</summary>
    static Guid OfficerId(int i)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes($"officer{i}")));
        return Guid.Parse(hash);
    }

    /// <summary>Writes the replicas and ledger rows server-side with generate_series; returns the number of SMS.</summary>
    static async Task<long> SeedAsync(string connectionString, int officers)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        async Task RunAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
            await command.ExecuteNonQueryAsync();
        }
        // Sector s is treated unless s % 4 = 0; officer i is in sector i % 1000, a commander when i % 10 = 0.
        await RunAsync($"""
            SET search_path = attendance;
            INSERT INTO sector_arms (sector_id, arm, randomization_id, stratum, randomized_at)
            SELECT md5('sector' || s)::uuid, CASE WHEN s % 4 = 0 THEN 'control' ELSE 'treatment' END, md5('randomization')::uuid,
                   'zona=' || (s % 5) || ';tamano=' || (s % 3), timestamptz '2026-12-01 16:00+00'
            FROM generate_series(0, {Sectors - 1}) s;
            INSERT INTO officers (officer_id, sector_id, role, enrolled_at)
            SELECT md5('officer' || i)::uuid, md5('sector' || (i % {Sectors}))::uuid, CASE WHEN i % 10 = 0 THEN 'commander' ELSE 'officer' END,
                   timestamptz '2026-11-20 16:00+00'
            FROM generate_series(0, {officers - 1}) i;
            INSERT INTO officer_arms (officer_id, arm, sector_id, randomization_id, enrolled_after_randomization, assigned_at)
            SELECT md5('officer' || i)::uuid, CASE WHEN (i % {Sectors}) % 4 = 0 THEN 'control' ELSE 'treatment' END, md5('sector' || (i % {Sectors}))::uuid,
                   md5('randomization')::uuid, false, timestamptz '2026-12-01 16:00+00'
            FROM generate_series(0, {officers - 1}) i;
            INSERT INTO officer_consents (officer_id, consent, changed_at)
            SELECT md5('officer' || i)::uuid, true, timestamptz '2026-11-20 16:00+00' FROM generate_series(0, {officers - 1}) i;
            CREATE TEMP TABLE treated AS SELECT i FROM generate_series(0, {officers - 1}) i WHERE (i % {Sectors}) % 4 <> 0;
            INSERT INTO reminder_ledger (sms_id, officer_id, cohort_id, number, due_at, protocol_version, planned_at, acknowledged_at, acknowledgment_reply)
            SELECT md5('sms' || i || '-' || k)::uuid, md5('officer' || i)::uuid, md5('cohort' || (i % {Sectors}))::uuid, k,
                   timestamptz '2027-02-01 16:00+00' + (k * 14) * interval '1 day', '2026-11-v1', timestamptz '2027-01-25 18:00+00',
                   CASE WHEN (i + k) % 3 = 0 THEN timestamptz '2027-02-01 17:00+00' + (k * 14) * interval '1 day' END,
                   CASE WHEN (i + k) % 3 = 0 THEN 'OK' END
            FROM treated, generate_series(1, 6) k;
            INSERT INTO sms_ledger (sms_id, officer_id, purpose, accepted, accepted_at, segments, status, status_rank, error_code, delivered_at, updated_at, provider_sid)
            SELECT md5('sms' || i || '-' || k)::uuid, md5('officer' || i)::uuid, 'reminder', true,
                   timestamptz '2027-02-01 16:00:05+00' + (k * 14) * interval '1 day', 1,
                   CASE WHEN (i + k) % 20 = 0 THEN 'undelivered' WHEN (i + k) % 33 = 0 THEN 'failed' ELSE 'delivered' END, 4,
                   CASE WHEN (i + k) % 20 = 0 THEN 30003 WHEN (i + k) % 33 = 0 THEN 30006 END,
                   CASE WHEN (i + k) % 20 <> 0 AND (i + k) % 33 <> 0 THEN timestamptz '2027-02-01 16:00:09+00' + (k * 14) * interval '1 day' END,
                   timestamptz '2027-02-01 16:00:09+00' + (k * 14) * interval '1 day', 'SM' || md5('sms' || i || '-' || k)
            FROM treated, generate_series(1, 6) k;
            INSERT INTO sms_ledger (sms_id, officer_id, purpose, accepted, accepted_at, segments, status, status_rank, delivered_at, updated_at, provider_sid)
            SELECT md5('logistics' || i || '-' || k)::uuid, md5('officer' || i)::uuid, 'logistics', true,
                   timestamptz '2027-01-10 16:00+00' + k * interval '7 days', 1, 'delivered', 4,
                   timestamptz '2027-01-10 16:00:04+00' + k * interval '7 days', timestamptz '2027-01-10 16:00:04+00' + k * interval '7 days',
                   'SM' || md5('logistics' || i || '-' || k)
            FROM treated, generate_series(1, 2) k;
            ANALYZE;
            """);
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM attendance.sms_ledger", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}

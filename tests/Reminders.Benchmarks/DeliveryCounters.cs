using System.Globalization;
using Npgsql;
using Reminders.Testing;

namespace Reminders.Benchmarks;

/// <summary>
/// What a delivery run cost beyond CPU, read before and after it from the parts themselves: PostgreSQL's commits
/// (<c>pg_stat_database</c>), the driver's round trips (Npgsql's <c>db.client.operation.duration</c> count at each
/// service's <c>/metrics</c>), RabbitMQ's publishes and deliveries in the run's vhost (management API), the HTTP requests
/// the services served and the provider received, and the mean size of every batch a service reports
/// (histograms named <c>*batch*</c>).
/// </summary>
public sealed record DeliveryCounters(
    long Commits, long Rollbacks, long RoundTrips, long Published, long Delivered, long HttpServed, long ProviderRequests,
    IReadOnlyDictionary<string, (double Sum, double Count)> Batches)
{
    const string RoundTripMetric = "db_client_operation_duration_seconds_count";
    const string HttpServedMetric = "http_server_request_duration_seconds_count";

    /// <param name="services">Each service's base URL, read with <paramref name="apiKey"/>.</param>
    /// <param name="providerRequests">How many requests the provider has received so far.</param>
    public static async Task<DeliveryCounters> ReadAsync(string connectionString, TestVirtualHost vhost, IEnumerable<string> services, string apiKey,
        Func<Task<long>> providerRequests)
    {
        long commits, rollbacks;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            (commits, rollbacks) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        var (published, delivered) = await vhost.MessageCountsAsync();
        long roundTrips = 0, served = 0;
        var batches = new Dictionary<string, (double Sum, double Count)>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        foreach (var service in services)
        {
            var samples = ParsePrometheus(await http.GetStringAsync(new Uri(new Uri(service), "/metrics")));
            roundTrips += (long)samples.Where(s => s.Name == RoundTripMetric).Sum(s => s.Value);
            // The scrapes themselves and the health probes are the benchmark's, not the delivery's.
            served += (long)samples.Where(s => s.Name == HttpServedMetric && !s.Labels.Contains("/metrics") && !s.Labels.Contains("/health")).Sum(s => s.Value);
            foreach (var sample in samples.Where(s => s.Name.Contains("batch", StringComparison.Ordinal) && (s.Name.EndsWith("_sum") || s.Name.EndsWith("_count"))))
            {
                var name = sample.Name[..sample.Name.LastIndexOf('_')];
                var (sum, count) = batches.GetValueOrDefault(name);
                batches[name] = sample.Name.EndsWith("_sum") ? (sum + sample.Value, count) : (sum, count + sample.Value);
            }
        }
        return new DeliveryCounters(commits, rollbacks, roundTrips, published, delivered, served, await providerRequests(), batches);
    }

    public DeliveryCounters Minus(DeliveryCounters before) => new(
        Commits - before.Commits, Rollbacks - before.Rollbacks, RoundTrips - before.RoundTrips, Published - before.Published,
        Delivered - before.Delivered, HttpServed - before.HttpServed, ProviderRequests - before.ProviderRequests,
        Batches.ToDictionary(b => b.Key, b => before.Batches.TryGetValue(b.Key, out var was) ? (b.Value.Sum - was.Sum, b.Value.Count - was.Count) : b.Value));

    public double Per(long value, int sms) => (double)value / sms;

    public string Describe(int sms) =>
        $"per SMS: {Per(Commits, sms):F1} PostgreSQL commits ({Per(Rollbacks, sms):F2} rollbacks), {Per(RoundTrips, sms):F1} database round trips, " +
        $"{Per(Published, sms):F1} bus publishes and {Per(Delivered, sms):F1} deliveries, {Per(HttpServed + ProviderRequests, sms):F1} HTTP calls " +
        $"({Per(ProviderRequests, sms):F1} to the provider, {Per(HttpServed, sms):F1} served by the services); mean batch: " +
        (Batches.Count == 0 ? "none reported" : string.Join(", ", Batches.Where(b => b.Value.Count > 0).Select(b => $"{b.Key} {b.Value.Sum / b.Value.Count:F1} ({b.Value.Count:N0} batches)")));

    sealed record Sample(string Name, string Labels, double Value);

    static List<Sample> ParsePrometheus(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var brace = line.IndexOf('{');
            var space = line.LastIndexOf(' ');
            // A sample line is "name{labels} value [timestamp]"; the exporter writes no timestamps, so the value is last.
            var nameEnd = brace >= 0 ? brace : line.IndexOf(' ');
            if (nameEnd <= 0 || space <= nameEnd) continue;
            var labels = brace >= 0 ? line[brace..(line.LastIndexOf('}') + 1)] : "";
            if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                samples.Add(new Sample(line[..nameEnd], labels, value));
        }
        return samples;
    }
}

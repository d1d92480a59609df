using System.Diagnostics;
using Npgsql;

namespace Reminders.Testing.Chaos;

/// <summary>
/// Restarts the local RabbitMQ and PostgreSQL that deploy/dev-services.sh runs (no systemd here), and brings them back
/// with that script when a run ends in any state.
/// </summary>
public static class DevServices
{
    const string RabbitNode = "rabbit@localhost";
    const string Path = "PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin";

    /// <summary>Stops the broker application (every connection drops) and starts it again; quorum queues keep their messages.</summary>
    public static async Task RestartRabbitMqAsync()
    {
        await ShellAsync($"{Path} rabbitmqctl -q -n {RabbitNode} stop_app && {Path} rabbitmqctl -q -n {RabbitNode} start_app", TimeSpan.FromSeconds(120));
        await WaitAsync(RabbitMqAnswersAsync, "RabbitMQ's management API", TimeSpan.FromSeconds(60));
    }

    /// <summary>A fast shutdown (every connection dropped, transactions in progress rolled back) and a start.</summary>
    public static async Task RestartPostgresAsync()
    {
        await ShellAsync("pg_ctlcluster --skip-systemctl-redirect 15 main restart -m fast", TimeSpan.FromSeconds(120));
        await WaitAsync(PostgresAnswersAsync, "PostgreSQL", TimeSpan.FromSeconds(60));
    }

    /// <summary>Both answer, or deploy/dev-services.sh up starts whichever does not (after a failed run too).</summary>
    public static async Task EnsureUpAsync(TextWriter log)
    {
        if (await RabbitMqAnswersAsync() && await PostgresAnswersAsync()) return;
        log.WriteLine("RabbitMQ or PostgreSQL is down: deploy/dev-services.sh up");
        await ShellAsync($"{System.IO.Path.Combine(TestEnvironment.RepositoryRoot, "deploy", "dev-services.sh")} up", TimeSpan.FromMinutes(5));
    }

    public static async Task<bool> RabbitMqAnswersAsync()
    {
        try
        {
            using var management = RabbitMqManagement.Client();
            using var response = await management.GetAsync("api/overview");
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public static async Task<bool> PostgresAnswersAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres) { Pooling = false, Timeout = 3 }.ConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    static async Task WaitAsync(Func<Task<bool>> answers, string what, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await answers())
        {
            if (stopwatch.Elapsed > timeout) throw new TimeoutException($"{what} did not answer within {timeout.TotalSeconds:F0} s of its restart.");
            await Task.Delay(250);
        }
    }

    static async Task ShellAsync(string command, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"`{command}` exited with {process.ExitCode}:\n{await output}\n{await error}");
    }
}

using System.Diagnostics;
using RabbitMQ.Client;
using Reminders.Testing;

namespace Reminders.Platform.Tests.Infrastructure;

/// <summary>Stops and starts the local RabbitMQ application (rabbitmqctl stop_app / start_app) to simulate an outage.</summary>
public static class RabbitBroker
{
    public static Task StopAppAsync() => RunCtlAsync("stop_app");

    /// <summary>Starts the application (a no-op when it runs) and waits until it accepts AMQP connections on <paramref name="virtualHost"/>.</summary>
    public static async Task StartAppAsync(string virtualHost, TimeSpan timeout)
    {
        await RunCtlAsync("start_app");
        await WaitAcceptingConnectionsAsync(virtualHost, timeout);
    }

    public static async Task WaitAcceptingConnectionsAsync(string virtualHost, TimeSpan timeout)
    {
        var (user, password) = TestEnvironment.RabbitMqCredentials;
        var factory = new ConnectionFactory
        {
            HostName = TestEnvironment.RabbitMq.Host,
            Port = TestEnvironment.RabbitMq.Port,
            VirtualHost = virtualHost,
            UserName = user,
            Password = password,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(2),
            AutomaticRecoveryEnabled = false,
        };
        string? lastError = null;
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync();
                await connection.CloseAsync();
                return true;
            }
            catch (Exception ex)
            {
                lastError = ex.Message;
                return false;
            }
        }, timeout, "RabbitMQ accepts connections", () => lastError ?? "");
    }

    static async Task RunCtlAsync(string command)
    {
        var info = new ProcessStartInfo(RabbitMqCtl(), ["-q", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {command} exited with {process.ExitCode}: {await stdout} {await stderr}");
    }

    static string RabbitMqCtl()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"])
            .Select(dir => Path.Combine(dir, "rabbitmqctl"))
            .FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException("rabbitmqctl is neither on PATH nor in /usr/sbin.");
    }
}

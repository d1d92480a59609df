using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reminders.Testing;

/// <summary>
/// One service as its own OS process (<c>dotnet services/X/bin/.../Reminders.X.dll</c>), configured by environment
/// variables, with its console output kept for assertions and diagnostics. Killed on dispose.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    readonly string project;
    readonly Dictionary<string, string?> settings;
    readonly ConcurrentQueue<string> output = new();
    Process? process;

    public ServiceProcess(string project, IReadOnlyDictionary<string, string?> settings, int? port = null)
    {
        this.project = project;
        this.settings = new Dictionary<string, string?>(settings);
        Port = port ?? FreePort();
        Url = $"http://127.0.0.1:{Port}";
    }

    public int Port { get; }
    public string Url { get; }
    public IEnumerable<string> Output => output;
    public bool HasExited => process?.HasExited ?? true;
    /// <summary>The OS process id once started (benchmarks read its CPU time and memory from /proc).</summary>
    public int? ProcessId => process?.Id;
    public string Project => project;

    static int nextCandidate = Random.Shared.Next(0, PortRangeSize);
    const int PortRangeStart = 20_000;
    const int PortRangeSize = 12_000;

    /// <summary>
    /// A port for a child process to bind later. Taken below the kernel's ephemeral range (32768+), where outgoing
    /// connections and port-0 listeners take theirs: a port probed free there was once taken by one of the tests' own
    /// client sockets before the child bound it (CI: "address already in use"). Never the same port twice in a run.
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < PortRangeSize; attempt++)
        {
            var port = PortRangeStart + Interlocked.Increment(ref nextCandidate) % PortRangeSize;
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException) { }
        }
        throw new InvalidOperationException($"No free port in {PortRangeStart}-{PortRangeStart + PortRangeSize - 1}.");
    }

    public static string AssemblyPath(string project) => Path.Combine(TestEnvironment.RepositoryRoot, "services", project, "bin",
        TestEnvironment.BuildConfiguration, "net10.0", $"Reminders.{project}.dll");

    public void Start()
    {
        var dll = AssemblyPath(project);
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build the solution first ({TestEnvironment.BuildConfiguration}): {dll} is missing.");
        var info = new ProcessStartInfo("dotnet", [dll, "--urls", Url])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in settings) info.Environment[key.Replace(":", "__")] = value;
        var started = new Process { StartInfo = info, EnableRaisingEvents = true };
        started.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        started.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        started.Start();
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        // Published only once running: a watcher asking HasExited meanwhile would meet a process not yet started.
        process = started;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 (database and bus up), or fails with the process's output.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, string path = "/health/ready")
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            if (HasExited) throw new InvalidOperationException($"{project} exited with {process?.ExitCode}:\n{string.Join('\n', output.TakeLast(40))}");
            try
            {
                using var response = await http.GetAsync($"{Url}{path}");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        // The readiness probes' own failures fill the tail every 2 s: leave them out, or the cause scrolls away.
        var lines = output.Where(l => !l.Contains("HealthCheckService", StringComparison.Ordinal)).TakeLast(60);
        throw new TimeoutException($"{project} not ready after {timeout}; its last health check: " +
                                   $"{output.LastOrDefault(l => l.Contains("HealthCheckService", StringComparison.Ordinal))}\n{string.Join('\n', lines)}");
    }

    /// <summary>
    /// The deployment's init step (as docker-compose runs it): each service declares its queues, exchanges and bindings
    /// (<c>Bus:DeployTopologyOnly</c>) and exits, so no event published before a subscriber starts is lost.
    /// </summary>
    public static async Task DeployTopologyAsync(IReadOnlyDictionary<string, string?> busSettings, params string[] services)
    {
        var deployers = services.Select(service => new ServiceProcess(service,
            new Dictionary<string, string?>(busSettings) { ["Bus:DeployTopologyOnly"] = "true" })).ToList();
        try
        {
            foreach (var deployer in deployers) deployer.Start();
            await Task.WhenAll(deployers.Select(d => d.WaitForExitAsync(TimeSpan.FromSeconds(90))));
        }
        finally
        {
            foreach (var deployer in deployers) await deployer.DisposeAsync();
        }
    }

    /// <summary>Waits for a process that is meant to end (an init step), and fails with its output unless it ended with 0.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try { await process!.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"{project} did not exit after {timeout}:\n{string.Join('\n', output.TakeLast(40))}"); }
        // The asynchronous output readers finish after the exit; the parameterless wait lets them drain.
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{project} exited with {process.ExitCode}:\n{string.Join('\n', output.TakeLast(40))}");
    }

    /// <summary>SIGKILL: no graceful shutdown, as in a crash.</summary>
    public void Kill()
    {
        if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
        process?.WaitForExit(10_000);
    }

    /// <summary>After a <see cref="Kill"/> (or a crash): the same service again, on the same port with the same settings.</summary>
    public void Restart()
    {
        Kill();
        output.Enqueue($"--- {project} restarted");
        // The killed process stays readable (HasExited) until its successor replaces it; disposed, it would throw.
        var killed = process;
        Start();
        killed?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        process?.Dispose();
        process = null;
        return ValueTask.CompletedTask;
    }
}

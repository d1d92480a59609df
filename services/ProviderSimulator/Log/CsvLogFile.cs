using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Reminders.ProviderSimulator.Log;

/// <summary>Appends accepted messages to <see cref="SimulatorOptions.LogPath"/> off the request path, in batches.</summary>
internal sealed class CsvLogFile(IOptions<SimulatorOptions> options, ILogger<CsvLogFile> logger) : BackgroundService
{
    private readonly Channel<SimulatedMessage> pending =
        Channel.CreateUnbounded<SimulatedMessage>(new UnboundedChannelOptions { SingleReader = true });

    private string? Path => string.IsNullOrWhiteSpace(options.Value.LogPath) ? null : options.Value.LogPath;

    public void Append(SimulatedMessage message)
    {
        if (Path is not null)
        {
            pending.Writer.TryWrite(message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Path is not { } path)
        {
            return;
        }
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        await using var stream = new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.Read);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        if (stream.Length == 0)
        {
            MessageLogCsv.WriteHeader(writer);
        }
        logger.LogInformation("Appending accepted messages to {Path}", full);
        try
        {
            while (await pending.Reader.WaitToReadAsync(stoppingToken))
            {
                WriteAvailable(writer);
                await writer.FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is already queued is still written below.
        }
        WriteAvailable(writer);
        await writer.FlushAsync(CancellationToken.None);
    }

    private void WriteAvailable(StreamWriter writer)
    {
        while (pending.Reader.TryRead(out var message))
        {
            MessageLogCsv.WriteRow(writer, message);
        }
    }
}

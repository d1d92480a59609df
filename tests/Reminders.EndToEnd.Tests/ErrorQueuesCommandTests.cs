using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Local.ErrorQueues;
using Reminders.Platform.Auth;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// <c>errors</c> on the local host: a message that reaches a queue none of whose consumers takes it is listed as skipped
/// (exit 1), a researcher's key cannot read or re-drive (exit 2), and a manager re-drives it by id (exit 0).
/// </summary>
public sealed class ErrorQueuesCommandTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    const string Skipped = "attendance-training-session-cancelled_skipped";

    [Fact]
    public async Task The_command_lists_a_skipped_message_and_a_manager_re_drives_it()
    {
        var messageId = NewId.NextGuid();
        var endpoint = await host.App.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:attendance-training-session-cancelled"));
        await endpoint.Send(new SectorRegistered(Guid.NewGuid(), "S-999", "Sector de prueba", host.Now()), c => c.MessageId = messageId);

        var listing = new StringWriter();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ErrorQueuesCommand.RunAsync(["--url", host.Url, "--key", host.ApiKey(Roles.Manager)], listing) != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The skipped message was never listed:\n{listing}");
            listing.GetStringBuilder().Clear();
            await Task.Delay(100);
        }
        Assert.Contains($"{Skipped}: 1 message(s), back to attendance-training-session-cancelled on re-drive", listing.ToString());
        Assert.Contains($"{messageId}  SectorRegistered", listing.ToString());
        Assert.Contains("1 message(s) wait to be re-driven.", listing.ToString());

        Assert.Equal(2, await ErrorQueuesCommand.RunAsync(["--url", host.Url, "--key", host.ApiKey(Roles.Researcher)], new StringWriter()));
        Assert.Equal(2, await ErrorQueuesCommand.RunAsync(
            ["--url", host.Url, "--key", host.ApiKey(Roles.Researcher), "--redrive", Skipped, "--message", messageId.ToString()], new StringWriter()));

        var redrive = new StringWriter();
        Assert.Equal(0, await ErrorQueuesCommand.RunAsync(
            ["--url", host.Url, "--key", host.ApiKey(Roles.Manager), "--redrive", Skipped, "--message", messageId.ToString()], redrive));
        Assert.Contains($"Re-drove 1 message(s) from {Skipped} to attendance-training-session-cancelled.", redrive.ToString());
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Reminders.Protocol.Tests.ProtocolFiles;

namespace Reminders.Protocol.Tests;

public sealed class ProtocolRegistrationTests
{
    static ServiceProvider Services(string? path) => new ServiceCollection()
        .AddLogging()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ProtocolLoader.PathKey] = path }).Build())
        .AddStudyProtocol()
        .BuildServiceProvider();

    [Fact]
    public async Task A_host_gets_the_protocol_and_its_calendar_checked_at_start()
    {
        await using var services = Services(null);

        foreach (var hosted in services.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);

        Assert.Same(ProtocolLoader.LoadDefault(), services.GetRequiredService<StudyProtocol>());
        Assert.False(services.GetRequiredService<WorkingDayCalendar>().IsWorkingDay(new DateOnly(2026, 9, 16)));
    }

    [Fact]
    public async Task An_invalid_protocol_file_stops_the_start_with_its_errors()
    {
        var file = Path.Combine(Path.GetTempPath(), $"protocol-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, With(p => p.Obj("quietHours")["end"] = "08:00"));
        try
        {
            await using var services = Services(file);
            var start = services.GetServices<IHostedService>().Single();

            var error = await Assert.ThrowsAsync<ProtocolException>(() => start.StartAsync(CancellationToken.None));

            Assert.Equal(file, error.Origin);
            Assert.Equal(["quietHours: start (09:00) must be earlier than end (08:00): sending is allowed between them, and the window cannot cross midnight"],
                error.Errors.Select(e => e.ToString()));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Registering_twice_checks_once()
    {
        var services = new ServiceCollection().AddStudyProtocol().AddStudyProtocol();

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(StudyProtocol));
    }
}

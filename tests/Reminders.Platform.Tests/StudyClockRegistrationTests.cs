using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Platform.Hosting;

namespace Reminders.Platform.Tests;

/// <summary>Which TimeProvider AddServiceDefaults registers, by the Clock section of the configuration.</summary>
public sealed class StudyClockRegistrationTests
{
    const string StudyStart = "2026-11-10T09:00:00.0000000-06:00";
    static readonly DateTimeOffset Start = DateTimeOffset.Parse(StudyStart, CultureInfo.InvariantCulture);

    static async Task<TimeProvider> ClockFor(Dictionary<string, string?> settings, Action<WebApplicationBuilder>? before = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        before?.Invoke(builder);
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        return app.Services.GetRequiredService<TimeProvider>();
    }

    [Fact]
    public async Task Without_a_study_start_the_services_use_the_real_clock()
    {
        Assert.Same(TimeProvider.System, await ClockFor([]));
    }

    [Fact]
    public async Task A_configured_clock_reads_its_study_start_plus_the_scaled_time_since_its_real_start()
    {
        var realStart = TimeProvider.System.GetUtcNow() - TimeSpan.FromSeconds(10);

        var clock = Assert.IsType<StudyClock>(await ClockFor(new()
        {
            ["Clock:StudyStart"] = StudyStart,
            ["Clock:RealStart"] = realStart.ToString("O"),
            ["Clock:Speed"] = "60",
        }));
        var reading = clock.GetUtcNow();
        var elapsed = TimeProvider.System.GetUtcNow() - realStart;

        Assert.Equal(60, clock.Speed);
        Assert.InRange(reading, Start + TimeSpan.FromMinutes(10), Start + elapsed * 60);
    }

    [Fact]
    public async Task Without_a_real_start_the_clock_starts_at_the_study_start_when_it_is_registered()
    {
        var before = TimeProvider.System.GetUtcNow();

        var clock = Assert.IsType<StudyClock>(await ClockFor(new() { ["Clock:StudyStart"] = StudyStart }));
        var reading = clock.GetUtcNow();
        var elapsed = TimeProvider.System.GetUtcNow() - before;

        Assert.Equal(1, clock.Speed);
        Assert.InRange(reading, Start, Start + elapsed);
    }

    [Fact]
    public async Task A_time_provider_registered_before_the_defaults_is_kept()
    {
        var own = new StudyClock(Start, Start, 1);

        var registered = await ClockFor(new() { ["Clock:StudyStart"] = "2030-01-01T00:00:00Z" }, b => b.Services.AddSingleton<TimeProvider>(own));

        Assert.Same(own, registered);
    }

    [Fact]
    public async Task A_speed_out_of_range_stops_the_host_from_being_configured()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ClockFor(new()
        {
            ["Clock:StudyStart"] = StudyStart,
            ["Clock:Speed"] = "0",
        }));

        Assert.Equal("speed", error.ParamName);
    }
}

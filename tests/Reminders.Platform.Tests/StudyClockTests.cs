using Reminders.Platform.Hosting;

namespace Reminders.Platform.Tests;

/// <summary>
/// The study clock reads real time, so its readings are asserted between bounds taken from the real clock before and
/// after; timers are asserted to fire well before the real-time span they were given.
/// </summary>
public sealed class StudyClockTests
{
    static readonly DateTimeOffset StudyStart = new(2026, 11, 10, 9, 0, 0, TimeSpan.FromHours(-6));
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public void At_real_speed_it_reads_the_study_start_plus_the_real_time_elapsed()
    {
        var before = TimeProvider.System.GetUtcNow();
        var clock = new StudyClock(StudyStart, before, speed: 1);

        var reading = clock.GetUtcNow();
        var elapsed = TimeProvider.System.GetUtcNow() - before;

        Assert.InRange(reading, StudyStart, StudyStart + elapsed);
    }

    [Fact]
    public void A_real_start_in_the_past_counts_the_time_since_then()
    {
        var realStart = TimeProvider.System.GetUtcNow() - TimeSpan.FromDays(1);
        var clock = new StudyClock(StudyStart, realStart, speed: 1);

        var reading = clock.GetUtcNow();
        var elapsed = TimeProvider.System.GetUtcNow() - realStart;

        Assert.InRange(reading, StudyStart + TimeSpan.FromDays(1), StudyStart + elapsed);
    }

    [Fact]
    public void At_speed_3600_ten_real_seconds_are_ten_study_hours()
    {
        var realStart = TimeProvider.System.GetUtcNow() - TimeSpan.FromSeconds(10);
        var clock = new StudyClock(StudyStart, realStart, speed: 3600);

        var reading = clock.GetUtcNow();
        var elapsed = TimeProvider.System.GetUtcNow() - realStart;

        Assert.InRange(reading, StudyStart + TimeSpan.FromHours(10), StudyStart + elapsed * 3600);
    }

    [Fact]
    public void The_local_time_zone_is_the_systems()
    {
        Assert.Same(TimeProvider.System.LocalTimeZone, new StudyClock(StudyStart, StudyStart, 60).LocalTimeZone);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1_000_000.001)]
    [InlineData(double.PositiveInfinity)]
    public void A_speed_outside_0_to_a_million_is_refused(double speed)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new StudyClock(StudyStart, StudyStart, speed));

        Assert.Equal("speed", error.ParamName);
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(1)]
    [InlineData(1_000_000)]
    public void A_speed_above_0_up_to_a_million_is_accepted(double speed)
    {
        Assert.Equal(speed, new StudyClock(StudyStart, StudyStart, speed).Speed);
    }

    // Product bug: NaN fails both comparisons of the guard, so it is accepted and every GetUtcNow() then throws.
    [Fact]
    public void A_speed_that_is_not_a_number_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StudyClock(StudyStart, StudyStart, double.NaN));
    }

    [Fact]
    public async Task A_delay_of_one_study_hour_at_speed_a_million_ends_within_seconds()
    {
        var clock = new StudyClock(StudyStart, TimeProvider.System.GetUtcNow(), speed: 1_000_000);

        await Task.Delay(TimeSpan.FromHours(1), clock).WaitAsync(Patience);
    }

    [Fact]
    public async Task A_timer_fires_after_its_due_time_divided_by_the_speed()
    {
        var clock = new StudyClock(StudyStart, TimeProvider.System.GetUtcNow(), speed: 1_000_000);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var timer = clock.CreateTimer(_ => fired.TrySetResult(), null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);

        await fired.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_timer_due_never_does_not_fire()
    {
        var clock = new StudyClock(StudyStart, TimeProvider.System.GetUtcNow(), speed: 1_000_000);
        var fired = 0;

        using var timer = clock.CreateTimer(_ => Interlocked.Increment(ref fired), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await Task.Delay(TimeSpan.FromMilliseconds(200));

        Assert.Equal(0, Volatile.Read(ref fired));
    }

    // Product bug: CreateTimer returns the system timer itself, so ITimer.Change (used by PeriodicTimer.Period and by
    // CancellationTokenSource.CancelAfter on a source made with this clock) takes real time, unscaled.
    [Fact]
    public async Task A_timer_rescheduled_with_Change_is_scaled_too()
    {
        var clock = new StudyClock(StudyStart, TimeProvider.System.GetUtcNow(), speed: 1_000_000);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = clock.CreateTimer(_ => fired.TrySetResult(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        timer.Change(TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);

        await fired.Task.WaitAsync(Patience);
    }

    // Product bug: a scaled period under one millisecond is truncated to 0 by the system timer, which means
    // "not periodic": at speed 3600 any period under 3.6 study seconds fires once and never again.
    [Fact]
    public async Task A_periodic_timer_keeps_ticking_when_its_scaled_period_is_under_a_millisecond()
    {
        var clock = new StudyClock(StudyStart, TimeProvider.System.GetUtcNow(), speed: 3600);
        var ticks = 0;
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var timer = clock.CreateTimer(_ => { if (Interlocked.Increment(ref ticks) == 3) third.TrySetResult(); },
            null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await Task.WhenAny(third.Task, Task.Delay(Patience));

        Assert.True(Volatile.Read(ref ticks) >= 3, $"ticked {Volatile.Read(ref ticks)} time(s) in {Patience.TotalSeconds} s");
    }
}

namespace Reminders.ProviderSimulator;

/// <summary>
/// The simulator's clock when it runs as its own process beside services on a study clock: it reads the same
/// <c>Clock:StudyStart</c>, <c>Clock:RealStart</c> and <c>Clock:Speed</c> keys, so provider times (date created,
/// validity, rate windows) agree with the services'. Kept here rather than shared: the simulator depends on nothing
/// of the product it stands in for.
/// </summary>
internal sealed class SimulatorClock(DateTimeOffset studyStart, DateTimeOffset realStart, double speed) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => (studyStart + (System.GetUtcNow() - realStart) * speed).ToUniversalTime();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, Scale(dueTime), Scale(period));

    TimeSpan Scale(TimeSpan span) => span == Timeout.InfiniteTimeSpan ? span : span / speed;

    public static TimeProvider FromConfiguration(IConfiguration configuration) =>
        configuration.GetValue<DateTimeOffset?>("Clock:StudyStart") is { } studyStart
            ? new SimulatorClock(studyStart, configuration.GetValue<DateTimeOffset?>("Clock:RealStart") ?? DateTimeOffset.UtcNow,
                configuration.GetValue("Clock:Speed", 1.0))
            : TimeProvider.System;
}

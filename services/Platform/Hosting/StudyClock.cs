using System.Globalization;
using Reminders.Protocol;

namespace Reminders.Platform.Hosting;

public sealed class StudyClockOptions
{
    public const string Section = "Clock";
    /// <summary>What the study clock shows at <see cref="RealStart"/>; unset means the real clock.</summary>
    public DateTimeOffset? StudyStart { get; set; }
    /// <summary>The real instant the study clock shows <see cref="StudyStart"/>; default: when the process started. Give every process the same one.</summary>
    public DateTimeOffset? RealStart { get; set; }
    /// <summary>Study seconds per real second (e.g. 3600: an hour of protocol time per second).</summary>
    public double Speed { get; set; } = 1;

    /// <summary>
    /// Settings for a clock that reads inside the sending window whatever hour it really is: the real time when at
    /// least <paramref name="margin"/> of the window is left, else the next window's start. Never behind the real
    /// clock, so a command stamped with real time is never from the future. For the demo and tests, which must not
    /// depend on the hour they run at.
    /// </summary>
    public static Dictionary<string, string?> InsideSendingHours(StudyProtocol protocol, DateTimeOffset realNow, TimeSpan margin)
    {
        var (window, zone) = (protocol.QuietHours, protocol.TimeZone);
        var studyStart = !window.IsInside(realNow, zone) ? window.NextAllowed(realNow, zone)
            : window.WindowEnd(realNow, zone) - realNow >= margin ? realNow
            : window.NextAllowed(window.WindowEnd(realNow, zone), zone);
        return new Dictionary<string, string?>
        {
            [$"{Section}:{nameof(StudyStart)}"] = studyStart.ToString("O"),
            [$"{Section}:{nameof(RealStart)}"] = realNow.ToString("O"),
        };
    }
}

/// <summary>
/// The services' clock when the demo or a test sets one: it starts at a chosen study instant and may run faster than
/// real time, so a whole reminder period runs in minutes and a test does not depend on the hour it runs at.
/// Timers and delays made through it run <see cref="Speed"/> times faster too.
/// </summary>
public sealed class StudyClock : TimeProvider
{
    // One immutable pair, swapped whole, so a reader never sees a half-made jump.
    sealed record Anchor(DateTimeOffset StudyStart, DateTimeOffset RealStart);
    volatile Anchor anchor;
    readonly Lock jumping = new();

    /// <summary>The clock the <c>Clock:*</c> settings describe (as <see cref="StudyClockOptions.InsideSendingHours"/> writes them), for a process that starts services with them and must compute study times itself.</summary>
    public static StudyClock FromSettings(IReadOnlyDictionary<string, string?> settings) => new(
        DateTimeOffset.Parse(settings["Clock:StudyStart"]!, CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(settings["Clock:RealStart"]!, CultureInfo.InvariantCulture),
        settings.TryGetValue("Clock:Speed", out var speed) && speed is not null ? double.Parse(speed, CultureInfo.InvariantCulture) : 1);

    public StudyClock(DateTimeOffset studyStart, DateTimeOffset realStart, double speed)
    {
        if (!(speed > 0 && speed <= 1_000_000)) throw new ArgumentOutOfRangeException(nameof(speed), speed, "Clock:Speed must be above 0 and at most 1,000,000.");
        anchor = new Anchor(studyStart, realStart);
        Speed = speed;
    }

    public double Speed { get; }

    public override DateTimeOffset GetUtcNow()
    {
        var a = anchor;
        // UTC, as TimeProvider promises, whatever offset the start was given with.
        return (a.StudyStart + (System.GetUtcNow() - a.RealStart) * Speed).ToUniversalTime();
    }

    /// <summary>
    /// Moves the study clock forward to <paramref name="instant"/> at once (the demo skips the weeks between a reminder
    /// and the next). Never backwards: earlier instants change nothing. Timers already running keep their real delays.
    /// </summary>
    public void JumpTo(DateTimeOffset instant)
    {
        lock (jumping)
        {
            if (instant > GetUtcNow()) anchor = new Anchor(instant, System.GetUtcNow());
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    /// <summary>Zero and infinite keep their meaning; anything else runs Speed times faster, never below the system timer's 1 ms.</summary>
    TimeSpan Scale(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan || span == TimeSpan.Zero ? span : TimeSpan.FromMilliseconds(Math.Max(1, span.TotalMilliseconds / Speed));

    /// <summary>A timer rescheduled later (PeriodicTimer, CancelAfter) is scaled too.</summary>
    sealed class ScaledTimer(ITimer inner, StudyClock clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.Scale(dueTime), clock.Scale(period));
        public void Dispose() => inner.Dispose();
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

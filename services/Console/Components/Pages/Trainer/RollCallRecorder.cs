using System.Globalization;
using Reminders.Web.Services;

namespace Reminders.Web.Components.Pages.Trainer;

/// <summary>Writes a roll call's changes through Attendance, as the signed-in trainer: removals, then moves, then additions.</summary>
public static class RollCallRecorder
{
    public sealed record Failure(RollCallChange Change, ApiProblem Problem);

    /// <summary>
    /// Every change is tried (a time refused for one officer does not stop the others), until Attendance cannot be reached or
    /// refuses the session itself (409: not started, closed, cancelled, or changed meanwhile). What failed is returned: posting
    /// the form again writes only what is still missing.
    /// </summary>
    public static async Task<IReadOnlyList<Failure>> ApplyAsync(AttendanceClient attendance, Guid sessionId, RollCallPlan plan, string? reason,
        IReadOnlyList<AttendanceEventRecord> history, CancellationToken ct = default)
    {
        var failures = new List<Failure>();
        var ordered = plan.Changes.OrderBy(c => c switch { RollCallChange.Remove => 0, RollCallChange.Move => 1, _ => 2 });
        foreach (var change in ordered)
        {
            var result = change switch
            {
                RollCallChange.Remove remove => await attendance.CorrectEventAsync(remove.EventId, null, reason!.Trim(), ct),
                RollCallChange.Move move => await attendance.CorrectEventAsync(move.EventId, Iso(move.To), reason!.Trim(), ct),
                RollCallChange.Add add => await attendance.RecordEventAsync(sessionId, add.OfficerId, add.Kind, Iso(add.At),
                    RollCallMarks.EventId(sessionId, add, history.Count(e => e.OfficerId == add.OfficerId && e.Kind == add.Kind)), ct),
                _ => throw new InvalidOperationException(change.GetType().Name),
            };
            if (result.Ok) continue;
            failures.Add(new Failure(change, result.Problem!));
            if (result.Problem!.Status is 0 or 409) break;
        }
        return failures;
    }

    static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
